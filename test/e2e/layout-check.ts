// The layout check of the driver's screens (issue 15), measured in the page: a screen
// passes when its main actions lie wholly inside the viewport, uncovered and reachable
// without scrolling, and none of its text is cut off, clipped or overlapping other text.
// `findLayoutProblems` gives every problem it sees, each with the element and the
// measurement; `layoutReport` words them one a line. Its own tests, on small synthetic
// pages, are in layout-check.spec.ts.
import type { ElementHandle, Locator, Page } from '@playwright/test';

/** One main action of a screen: what the driver must be able to see and tap without scrolling. */
export interface MainAction {
  name: string;
  locator: Locator;
}

export interface LayoutProblem {
  kind: 'missing' | 'offscreen' | 'covered' | 'scroll' | 'cutOff' | 'clipped' | 'overflow' | 'overlap';
  /** The element: tag, classes and a snippet of its text. */
  element: string;
  /** What was measured, in CSS px. */
  detail: string;
}

export interface LayoutOptions {
  /** The driver's area: text outside it (the simulator panel) is not checked. */
  root?: string;
}

/** The problems of the screen now in `page`, against its main actions. */
export async function findLayoutProblems(page: Page, mainActions: MainAction[], options: LayoutOptions = {}): Promise<LayoutProblem[]> {
  const problems: LayoutProblem[] = [];
  const main: { name: string; elements: ElementHandle[] }[] = [];
  for (const action of mainActions) {
    const elements = await action.locator.elementHandles();
    if (elements.length === 0) problems.push({ kind: 'missing', element: action.name, detail: `no element matches ${action.locator.toString()}` });
    else main.push({ name: action.name, elements });
  }
  try {
    problems.push(...(await page.evaluate(measureLayout, { root: options.root ?? 'body', main })));
  } finally {
    for (const { elements } of main) for (const element of elements) await element.dispose();
  }
  return problems;
}

/** One line a problem: `<where>: <kind> <element>: <measurement>`. */
export function layoutReport(where: string, problems: LayoutProblem[]): string[] {
  return problems.map((p) => `${where}: ${p.kind} ${p.element}: ${p.detail}`);
}

// The little of the DOM the check uses (the tests' TypeScript has no DOM library).
interface Rect {
  left: number;
  top: number;
  right: number;
  bottom: number;
  width: number;
  height: number;
}
interface Style {
  position: string;
  transform: string;
  overflowX: string;
  overflowY: string;
  textOverflow: string;
  display: string;
  fontSize: string;
}
interface El {
  tagName: string;
  className: unknown;
  textContent: string | null;
  innerText: string;
  parentElement: El | null;
  clientLeft: number;
  clientTop: number;
  clientWidth: number;
  clientHeight: number;
  scrollWidth: number;
  scrollHeight: number;
  getBoundingClientRect(): Rect;
  getAttribute(name: string): string | null;
  closest(selector: string): El | null;
  contains(other: El): boolean;
  querySelectorAll(selector: string): Iterable<El>;
  checkVisibility(options: { checkOpacity: boolean; checkVisibilityCSS: boolean }): boolean;
}
interface TextNode {
  textContent: string | null;
  parentElement: El | null;
}
interface Browser {
  innerWidth: number;
  innerHeight: number;
  getComputedStyle(el: El): Style;
  NodeFilter: { SHOW_TEXT: number };
  document: {
    documentElement: El;
    body: El;
    scrollingElement: El | null;
    querySelector(selector: string): El | null;
    elementFromPoint(x: number, y: number): El | null;
    createTreeWalker(root: El, show: number): { nextNode(): TextNode | null };
    createRange(): { setStart(node: TextNode, offset: number): void; setEnd(node: TextNode, offset: number): void; getClientRects(): Iterable<Rect> };
  };
}

/**
 * Runs in the page (serialised by page.evaluate): everything it uses is defined inside.
 * Tolerance 1 px everywhere (sub-pixel layout and rounding of scroll sizes).
 */
function measureLayout({ root: rootSelector, main }: { root: string; main: { name: string; elements: El[] }[] }): LayoutProblem[] {
  const w = globalThis as unknown as Browser;
  const { document } = w;
  const getComputedStyle = (el: El) => w.getComputedStyle(el);
  const TOLERANCE = 1;
  const CONTROL = 'button, a[href], input, select, textarea, label, summary, [role="button"], [role="link"], [role="tab"]';
  const problems: LayoutProblem[] = [];
  const vw = w.innerWidth;
  const vh = w.innerHeight;
  type Box = { left: number; top: number; right: number; bottom: number };
  const viewport: Box = { left: 0, top: 0, right: vw, bottom: vh };
  const px = (n: number) => String(Math.round(n * 10) / 10);
  const boxText = (b: Box) => `[${px(b.left)},${px(b.top)} → ${px(b.right)},${px(b.bottom)}]`;

  const describe = (el: El): string => {
    const classes = typeof el.className === 'string' && el.className.trim() ? `.${el.className.trim().split(/\s+/).join('.')}` : '';
    const text = snippetOf(el);
    return `<${el.tagName.toLowerCase()}${classes}>${text ? ` "${text}"` : ''}`;
  };
  /** The element's text as shown (innerText: line breaks between blocks), at most 40 characters. */
  function snippetOf(el: El): string {
    const text = (el.innerText ?? el.textContent ?? '').replace(/\s+/g, ' ').trim() || el.getAttribute('aria-label') || el.getAttribute('alt') || '';
    return text.length > 40 ? `${text.slice(0, 39)}…` : text;
  }
  const clipsX = (s: Style) => s.overflowX !== 'visible';
  const clipsY = (s: Style) => s.overflowY !== 'visible';
  /** The padding box of an element that clips its content (scrollbars excluded). */
  const clipBox = (el: El): Box => {
    const r = el.getBoundingClientRect();
    const left = r.left + el.clientLeft;
    const top = r.top + el.clientTop;
    return { left, top, right: left + el.clientWidth, bottom: top + el.clientHeight };
  };
  const visible = (el: El): boolean => {
    if (!el.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true })) return false;
    const r = el.getBoundingClientRect();
    return r.width > 1 || r.height > 1; // a visually hidden (sr-only) box is 1×1
  };

  /**
   * The elements that clip `start`'s box (or, `own`, its content), nearest first: those of
   * its overflow ancestors that are in its containing-block chain (an absolutely positioned
   * box escapes the overflow of ancestors below its containing block, a fixed one all).
   */
  const clippers = (start: El, own: boolean): { el: El; x: boolean; y: boolean }[] => {
    const chain: { el: El; x: boolean; y: boolean }[] = [];
    let position = getComputedStyle(start).position;
    if (own) {
      const s = getComputedStyle(start);
      if (clipsX(s) || clipsY(s)) chain.push({ el: start, x: clipsX(s), y: clipsY(s) });
    }
    for (let el = start.parentElement; el && el !== document.documentElement; el = el.parentElement) {
      const s = getComputedStyle(el);
      const transformed = s.transform !== 'none';
      const contains = position === 'fixed' ? transformed : position === 'absolute' ? s.position !== 'static' || transformed : true;
      if (!contains) continue;
      // The body's overflow is the viewport's when the root element's is visible.
      const propagated = el === document.body && !clipsX(getComputedStyle(document.documentElement)) && !clipsY(getComputedStyle(document.documentElement));
      if (!propagated && (clipsX(s) || clipsY(s))) chain.push({ el, x: clipsX(s), y: clipsY(s) });
      position = s.position;
    }
    return chain;
  };

  /** How far `box` sticks out of `clip` on the clipping axes, and on which side; null if it does not. */
  const outside = (box: Box, clip: Box, x: boolean, y: boolean): string | null => {
    const sides: [string, number][] = [];
    if (x) sides.push(['left', clip.left - box.left], ['right', box.right - clip.right]);
    if (y) sides.push(['top', clip.top - box.top], ['bottom', box.bottom - clip.bottom]);
    const worst = sides.filter(([, d]) => d > TOLERANCE).sort((a, b) => b[1] - a[1])[0];
    return worst ? `${px(worst[1])} px past the ${worst[0]} edge` : null;
  };

  /** The first box that cuts `box` off: a clipping ancestor of `el` (`clipper`), or the viewport (null). */
  const cutBy = (el: El, box: Box, own: boolean): { clipper: El | null; by: string; how: string } | null => {
    for (const c of clippers(el, own)) {
      const how = outside(box, clipBox(c.el), c.x, c.y);
      if (how) return { clipper: c.el, by: c.el === el ? 'its own box' : describe(c.el), how: `${how} of ${boxText(clipBox(c.el))}` };
    }
    const how = outside(box, viewport, true, true);
    return how ? { clipper: null, by: 'the viewport', how: `${how} of the ${vw}×${vh} viewport` } : null;
  };

  /** What the driver sees of `box`: cut to `el`'s clipping ancestors and the viewport; null when nothing. */
  const visiblePart = (el: El, box: Box, own: boolean): Box | null => {
    let part = { ...box };
    const cut = (clip: Box, x: boolean, y: boolean) => {
      if (x) part = { ...part, left: Math.max(part.left, clip.left), right: Math.min(part.right, clip.right) };
      if (y) part = { ...part, top: Math.max(part.top, clip.top), bottom: Math.min(part.bottom, clip.bottom) };
    };
    for (const c of clippers(el, own)) cut(clipBox(c.el), c.x, c.y);
    cut(viewport, true, true);
    return part.right - part.left > TOLERANCE && part.bottom - part.top > TOLERANCE ? part : null;
  };

  /** Whether the point is on `el` (or what covers it). */
  const coveredBy = (el: El, x: number, y: number): El | null => {
    if (x < 0 || y < 0 || x >= vw || y >= vh) return null;
    const hit = document.elementFromPoint(x, y);
    if (!hit || hit === el || el.contains(hit) || hit.contains(el)) return null;
    return hit;
  };

  const root = document.querySelector(rootSelector) ?? document.body;
  // What the driver sees: the topmost open modal dialog, else the whole driver's area.
  const dialogs = [...root.querySelectorAll('[aria-modal="true"]')].filter(visible);
  const layer = dialogs.at(-1) ?? root;

  // No scrolling: the document, and any scroll container of what the driver sees (with the
  // texts it hides, listed with it rather than each on its own).
  const scrollers = new Map<El, { problem: LayoutProblem; hidden: string[] }>();
  const doc = document.scrollingElement ?? document.documentElement;
  if (doc.scrollHeight > vh + TOLERANCE) problems.push({ kind: 'scroll', element: 'document', detail: `scrollHeight ${doc.scrollHeight} > innerHeight ${vh}` });
  if (doc.scrollWidth > vw + TOLERANCE) problems.push({ kind: 'scroll', element: 'document', detail: `scrollWidth ${doc.scrollWidth} > innerWidth ${vw}` });
  const rootCut = cutBy(root, root.getBoundingClientRect(), false);
  if (rootCut) problems.push({ kind: 'offscreen', element: describe(root), detail: `the driver's area reaches ${rootCut.how}` });
  for (const el of [layer, ...layer.querySelectorAll('*')]) {
    const s = getComputedStyle(el);
    const scrollsY = s.overflowY === 'auto' || s.overflowY === 'scroll';
    const scrollsX = s.overflowX === 'auto' || s.overflowX === 'scroll';
    const sizes: string[] = [];
    if (scrollsY && el.scrollHeight > el.clientHeight + TOLERANCE) sizes.push(`scrollHeight ${el.scrollHeight} > clientHeight ${el.clientHeight}`);
    if (scrollsX && el.scrollWidth > el.clientWidth + TOLERANCE) sizes.push(`scrollWidth ${el.scrollWidth} > clientWidth ${el.clientWidth}`);
    if (sizes.length === 0) continue;
    const problem: LayoutProblem = { kind: 'scroll', element: describe(el), detail: `needs scrolling: ${sizes.join(', ')}` };
    scrollers.set(el, { problem, hidden: [] });
    problems.push(problem);
  }

  // Main actions: wholly inside the viewport and every clipping ancestor, and not covered.
  for (const { name, elements } of main) {
    for (const el of elements) {
      const r = el.getBoundingClientRect();
      const label = `${name} ${describe(el)}`;
      if (!visible(el)) {
        problems.push({ kind: 'offscreen', element: label, detail: `not visible (${px(r.width)}×${px(r.height)} px)` });
        continue;
      }
      const cut = cutBy(el, r, false);
      if (cut) {
        problems.push({ kind: 'offscreen', element: label, detail: `box ${boxText(r)} reaches ${cut.how}${cut.by === 'the viewport' ? '' : ` (${cut.by})`}` });
        continue;
      }
      const cover = coveredBy(el, (r.left + r.right) / 2, (r.top + r.bottom) / 2);
      if (cover) problems.push({ kind: 'covered', element: label, detail: `its centre (${px((r.left + r.right) / 2)},${px((r.top + r.bottom) / 2)}) is under ${describe(cover)}` });
    }
  }

  // Text: each visible text node's line boxes, by the element that holds it; `seen`, the
  // parts of them not clipped away.
  type Text = { owner: El; control: El | null; lines: Box[]; seen: Box[] };
  const texts: Text[] = [];
  const walker = document.createTreeWalker(layer, w.NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const data = node.textContent ?? '';
    const owner = node.parentElement;
    if (!owner || !data.trim() || !visible(owner)) continue;
    const range = document.createRange();
    range.setStart(node, data.length - data.trimStart().length);
    range.setEnd(node, data.trimEnd().length);
    const fontSize = parseFloat(getComputedStyle(owner).fontSize);
    // A line's glyphs: its content box trimmed to the em box (a content box is taller than
    // the line's height with a tight line-height, and would touch the lines next to it).
    const lines = [...range.getClientRects()]
      .filter((r) => r.width > 0 && r.height > 0)
      .map((r) => {
        const trim = Math.max(0, (r.height - fontSize) / 2);
        return { left: r.left, right: r.right, top: r.top + trim, bottom: r.bottom - trim };
      });
    const seen = lines.map((line) => visiblePart(owner, line, true)).filter((part) => part !== null);
    if (lines.length) texts.push({ owner, control: owner.closest(CONTROL), lines, seen });
  }

  const reported = new Set<string>();
  const report = (problem: LayoutProblem) => {
    const key = `${problem.kind} ${problem.element}`;
    if (reported.has(key)) return;
    reported.add(key);
    problems.push(problem);
  };
  const owners = new Set(texts.map((t) => t.owner));
  // Cut off by its own overflow: hidden, clip or an ellipsis, and more content than box.
  const cutOwn = new Set<El>();
  for (const owner of owners) {
    const s = getComputedStyle(owner);
    if (s.display === 'inline' || s.display === 'contents') continue; // overflow does not apply
    const ellipsis = s.textOverflow === 'ellipsis';
    const hidesX = ellipsis || ['hidden', 'clip'].includes(s.overflowX);
    const hidesY = ['hidden', 'clip'].includes(s.overflowY);
    const details: string[] = [];
    if (hidesX && owner.scrollWidth > owner.clientWidth + TOLERANCE) details.push(`scrollWidth ${owner.scrollWidth} > clientWidth ${owner.clientWidth}`);
    if (hidesY && owner.scrollHeight > owner.clientHeight + TOLERANCE) details.push(`scrollHeight ${owner.scrollHeight} > clientHeight ${owner.clientHeight}`);
    if (details.length) {
      cutOwn.add(owner);
      report({ kind: 'cutOff', element: describe(owner), detail: `text cut off (overflow ${s.overflowX}/${s.overflowY}${ellipsis ? ', ellipsis' : ''}): ${details.join(', ')}` });
    }
  }
  // Clipped: a line of text that reaches outside a clipping ancestor or the viewport.
  const clippedBy = new Map<El, El | null>();
  for (const text of texts) {
    for (const line of text.lines) {
      const cut = cutBy(text.owner, line, true);
      if (!cut || (cut.clipper === text.owner && cutOwn.has(text.owner))) continue;
      clippedBy.set(text.owner, cut.clipper);
      const scroller = cut.clipper && scrollers.get(cut.clipper);
      if (scroller) {
        if (!scroller.hidden.includes(snippetOf(text.owner))) scroller.hidden.push(snippetOf(text.owner));
        break;
      }
      report({ kind: 'clipped', element: describe(text.owner), detail: `text ${boxText(line)} runs ${cut.how}${cut.by === 'the viewport' || cut.by === 'its own box' ? '' : ` (clipped by ${cut.by})`}` });
      break;
    }
  }
  // Overflow: a line of text that runs out of its own box (the block that holds it), seen or not.
  for (const text of texts) {
    let box = text.owner;
    while (box.parentElement && ['inline', 'contents'].includes(getComputedStyle(box).display)) box = box.parentElement;
    // Clipped text is reported as clipped already (but text hidden in a scroll container may also spill out of its box).
    const clipper = clippedBy.get(text.owner);
    if (cutOwn.has(box) || (clipper !== undefined && !(clipper && scrollers.has(clipper)))) continue;
    for (const line of text.lines) {
      const how = outside(line, clipBox(box), true, true);
      if (!how) continue;
      report({ kind: 'overflow', element: describe(text.owner), detail: `text ${boxText(line)} runs ${how} of its box ${box === text.owner ? '' : `${describe(box)} `}${boxText(clipBox(box))}` });
      break;
    }
  }
  for (const { problem, hidden } of scrollers.values()) {
    if (hidden.length === 0) continue;
    const listed = hidden.slice(0, 3).map((h) => `"${h}"`).join(', ');
    problem.detail += `; ${hidden.length} text${hidden.length === 1 ? '' : 's'} hidden past its edge: ${listed}${hidden.length > 3 ? ', …' : ''}`;
  }
  // Covered: the middle of what is seen of the text's first line is under another element (not text).
  for (const text of texts) {
    const line = text.seen[0];
    if (!line) continue;
    const cover = coveredBy(text.owner, (line.left + line.right) / 2, (line.top + line.bottom) / 2);
    // Text over text is the overlap check's; the parts of one control may lie over each other.
    if (cover && !owners.has(cover) && (text.control === null || cover.closest(CONTROL) !== text.control)) report({ kind: 'covered', element: describe(text.owner), detail: `text ${boxText(line)} is under ${describe(cover)}` });
  }
  // Overlap: two texts of different elements (not within the same control) on each other.
  for (let i = 0; i < texts.length; i++) {
    for (let j = i + 1; j < texts.length; j++) {
      const a = texts[i]!;
      const b = texts[j]!;
      if (a.owner === b.owner || (a.control !== null && a.control === b.control)) continue;
      let worst: { w: number; h: number } | null = null;
      for (const la of a.seen) {
        for (const lb of b.seen) {
          const w = Math.min(la.right, lb.right) - Math.max(la.left, lb.left);
          const h = Math.min(la.bottom, lb.bottom) - Math.max(la.top, lb.top);
          if (w > TOLERANCE && h > TOLERANCE && (!worst || w * h > worst.w * worst.h)) worst = { w, h };
        }
      }
      if (worst) report({ kind: 'overlap', element: describe(a.owner), detail: `overlaps ${describe(b.owner)} by ${px(worst.w)}×${px(worst.h)} px` });
    }
  }
  return problems;
}
