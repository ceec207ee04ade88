// Drag to move and resize dashboard tiles with pointer events (W3C Pointer Events: setPointerCapture keeps a drag's
// events on its handle wherever the pointer goes). A drag only reports a whole-cell change of place or size to the page,
// which applies it as the editor's buttons do and saves it with the dashboard's etag; the buttons stay for keyboard
// users. The grid's cell pitch is read from its own style (grid-auto-columns/rows plus the gap), so the CSS decides it.
export function attach(grid, page) {
  let drag = null;

  const pitch = (size, gap) => {
    const style = getComputedStyle(grid);
    return parseFloat(style[size]) + (parseFloat(style[gap]) || 0);
  };

  const down = e => {
    const handle = e.target.closest('[data-drag]');
    const tile = handle && handle.closest('[data-tile-id]');
    if (!tile || !grid.contains(tile) || e.button !== 0) {
      return;
    }

    e.preventDefault();
    handle.setPointerCapture(e.pointerId);
    drag = { tile, mode: handle.dataset.drag, id: tile.dataset.tileId, x: e.clientX, y: e.clientY, pointer: e.pointerId };
    tile.classList.add('dashboard-tile-dragging');
  };

  const move = e => {
    if (!drag || e.pointerId !== drag.pointer) {
      return;
    }

    // A moved tile follows the pointer; a resized one is outlined (CSS) until it is dropped and the page redraws it.
    if (drag.mode === 'move') {
      drag.tile.style.transform = `translate(${e.clientX - drag.x}px, ${e.clientY - drag.y}px)`;
    }
  };

  const end = (e, keep) => {
    if (!drag || e.pointerId !== drag.pointer) {
      return;
    }

    const done = drag;
    drag = null;
    done.tile.style.transform = '';
    done.tile.classList.remove('dashboard-tile-dragging');
    const columns = Math.round((e.clientX - done.x) / pitch('gridAutoColumns', 'columnGap'));
    const rows = Math.round((e.clientY - done.y) / pitch('gridAutoRows', 'rowGap'));
    if (keep && (columns !== 0 || rows !== 0)) {
      page.invokeMethodAsync('TileDragged', done.id, done.mode, columns, rows);
    }
  };

  const up = e => end(e, true);
  const cancel = e => end(e, false);
  grid.addEventListener('pointerdown', down);
  grid.addEventListener('pointermove', move);
  grid.addEventListener('pointerup', up);
  grid.addEventListener('pointercancel', cancel);
  return {
    detach() {
      grid.removeEventListener('pointerdown', down);
      grid.removeEventListener('pointermove', move);
      grid.removeEventListener('pointerup', up);
      grid.removeEventListener('pointercancel', cancel);
    },
  };
}
