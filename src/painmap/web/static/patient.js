/* Set ranking bar widths from data attributes (no inline styles under the CSP). */
(function () {
  "use strict";
  document.querySelectorAll(".bar-fill[data-width]").forEach(function (el) {
    el.style.width = Math.max(1, Math.min(100, Number(el.getAttribute("data-width")))) + "%";
  });
})();
