/* painmap pain drawing: mark regions (tap/click/keyboard) and draw freehand strokes.
   State is kept as {marks: [...], strokes: [...]} in chart coordinates and posted as JSON.
   No inline script or style: runs under a strict Content-Security-Policy. */
(function () {
  "use strict";
  var SVGNS = "http://www.w3.org/2000/svg";
  var form = document.getElementById("drawing-form");
  if (!form) { return; }
  var input = document.getElementById("drawing-json");
  var list = document.getElementById("marks");
  var empty = document.getElementById("empty-marks");
  var pen = document.getElementById("pen-intensity");
  var penOut = document.getElementById("pen-intensity-out");
  var QUALITIES = JSON.parse(document.getElementById("quality-list").innerHTML);
  var state = { marks: [], strokes: [] };
  var history = [];
  try {
    var initial = JSON.parse(input.value || "{}");
    if (initial && initial.marks) { state.marks = initial.marks; }
    if (initial && initial.strokes) { state.strokes = initial.strokes; }
  } catch (e) { /* start empty */ }

  function colour(v) {
    // 0 = pale yellow, 10 = deep red
    var t = Math.max(0, Math.min(10, v)) / 10;
    var r = Math.round(253 - t * (253 - 165));
    var g = Math.round(219 - t * (219 - 0));
    var b = Math.round(120 - t * (120 - 38));
    return "rgb(" + r + "," + g + "," + b + ")";
  }
  function snapshot() { history.push(JSON.stringify(state)); if (history.length > 100) { history.shift(); } }
  function regionEls(id) { return document.querySelectorAll('[data-region="' + id + '"]'); }
  function regionLabel(id) {
    var el = regionEls(id)[0];
    if (!el) { return id; }
    var t = el.querySelector("title");
    return (t && t.textContent) || el.getAttribute("aria-label") || id;
  }
  function findMark(id) {
    for (var i = 0; i < state.marks.length; i++) { if (state.marks[i].id === id) { return i; } }
    return -1;
  }
  function toggleRegion(id) {
    snapshot();
    var i = findMark(id);
    if (i >= 0) { state.marks.splice(i, 1); }
    else { state.marks.push({ id: id, intensity: Number(pen.value), qualities: [] }); }
    render();
  }

  /* ---- chart interaction ---- */
  function chartPoint(svg, evt) {
    var pt = svg.createSVGPoint();
    pt.x = evt.clientX; pt.y = evt.clientY;
    var m = svg.getScreenCTM();
    if (!m) { return null; }
    var p = pt.matrixTransform(m.inverse());
    return [Math.round(p.x * 10) / 10, Math.round(p.y * 10) / 10];
  }
  function strokeWidth(svg) {
    var vb = svg.viewBox && svg.viewBox.baseVal;
    return vb && vb.width ? Math.round(vb.width / 40) : 10;
  }
  document.querySelectorAll(".chart").forEach(function (fig) {
    var view = fig.getAttribute("data-view");
    var svg = fig.querySelector("svg");
    if (!svg) { return; }
    svg.classList.add("drawable");
    var layer = document.createElementNS(SVGNS, "g");
    layer.setAttribute("class", "stroke-layer");
    layer.setAttribute("pointer-events", "none");
    svg.appendChild(layer);
    fig._layer = layer;
    var active = null;
    svg.addEventListener("pointerdown", function (e) {
      if (e.button !== 0) { return; }
      var p = chartPoint(svg, e);
      if (!p) { return; }
      var target = e.target.closest ? e.target.closest("[data-region]") : null;
      active = { x: e.clientX, y: e.clientY, region: target ? target.getAttribute("data-region") : null,
                 points: [p], moved: false, line: null };
      svg.setPointerCapture(e.pointerId);
      e.preventDefault();
    });
    svg.addEventListener("pointermove", function (e) {
      if (!active) { return; }
      var dx = e.clientX - active.x, dy = e.clientY - active.y;
      if (!active.moved && dx * dx + dy * dy < 36) { return; }
      var p = chartPoint(svg, e);
      if (!p) { return; }
      if (!active.moved) {
        active.moved = true;
        active.line = document.createElementNS(SVGNS, "polyline");
        active.line.setAttribute("fill", "none");
        active.line.setAttribute("stroke", colour(Number(pen.value)));
        active.line.setAttribute("stroke-width", String(strokeWidth(svg)));
        active.line.setAttribute("stroke-linecap", "round");
        active.line.setAttribute("stroke-linejoin", "round");
        active.line.setAttribute("stroke-opacity", "0.75");
        layer.appendChild(active.line);
      }
      var last = active.points[active.points.length - 1];
      if (Math.abs(p[0] - last[0]) + Math.abs(p[1] - last[1]) >= 1.5) { active.points.push(p); }
      active.line.setAttribute("points", active.points.map(function (q) { return q.join(","); }).join(" "));
    });
    function finish(e) {
      if (!active) { return; }
      var a = active; active = null;
      try { svg.releasePointerCapture(e.pointerId); } catch (err) { /* ignore */ }
      if (!a.moved) { if (a.region) { toggleRegion(a.region); } return; }
      if (a.line) { a.line.remove(); }
      if (a.points.length < 2) { return; }
      snapshot();
      state.strokes.push({ view: view, points: a.points, width: strokeWidth(svg),
                           intensity: Number(pen.value), quality: null });
      render();
    }
    svg.addEventListener("pointerup", finish);
    svg.addEventListener("pointercancel", function () {
      if (active && active.line) { active.line.remove(); }
      active = null;
    });
    svg.querySelectorAll("[data-region]").forEach(function (el) {
      if (!el.hasAttribute("tabindex")) { el.setAttribute("tabindex", "0"); }
      el.setAttribute("role", "button");
      el.addEventListener("keydown", function (e) {
        if (e.key === "Enter" || e.key === " ") { e.preventDefault(); toggleRegion(el.getAttribute("data-region")); }
      });
    });
  });

  /* ---- view switch ---- */
  document.querySelectorAll("[data-view-btn]").forEach(function (btn) {
    btn.addEventListener("click", function () {
      var v = btn.getAttribute("data-view-btn");
      document.querySelectorAll(".chart").forEach(function (fig) { fig.hidden = fig.getAttribute("data-view") !== v; });
      document.querySelectorAll("[data-view-btn]").forEach(function (b) {
        b.setAttribute("aria-pressed", String(b === btn));
      });
    });
  });
  pen.addEventListener("input", function () { penOut.textContent = pen.value; });

  /* ---- list of marks and strokes ---- */
  function slider(label, value, onChange) {
    var wrap = document.createElement("div");
    wrap.className = "slider";
    var id = "s" + Math.random().toString(36).slice(2);
    var l = document.createElement("label"); l.setAttribute("for", id); l.textContent = label;
    var r = document.createElement("input"); r.type = "range"; r.min = "0"; r.max = "10"; r.step = "1";
    r.value = String(value); r.id = id; r.className = "intensity";
    var o = document.createElement("output"); o.textContent = String(value);
    r.addEventListener("change", function () { snapshot(); onChange(Number(r.value)); render(); });
    r.addEventListener("input", function () { o.textContent = r.value; });
    wrap.appendChild(l); wrap.appendChild(r); wrap.appendChild(o);
    return wrap;
  }
  function chips(selected, multiple, onToggle) {
    var box = document.createElement("div");
    box.className = "chips"; box.setAttribute("role", "group"); box.setAttribute("aria-label", "Pain quality");
    QUALITIES.forEach(function (q) {
      var b = document.createElement("button");
      b.type = "button"; b.className = "chip"; b.textContent = q.replace(/_/g, " ");
      b.setAttribute("data-quality", q);
      b.setAttribute("aria-pressed", String(selected.indexOf(q) >= 0));
      b.addEventListener("click", function () { snapshot(); onToggle(q); render(); });
      box.appendChild(b);
    });
    return box;
  }
  function removeBtn(onRemove, what) {
    var b = document.createElement("button");
    b.type = "button"; b.className = "btn btn-quiet btn-small"; b.textContent = "Remove";
    b.setAttribute("aria-label", "Remove " + what);
    b.addEventListener("click", function () { snapshot(); onRemove(); render(); });
    return b;
  }
  function render() {
    document.querySelectorAll("[data-region]").forEach(function (el) {
      el.classList.remove("marked"); el.style.fill = ""; el.setAttribute("aria-pressed", "false");
    });
    list.innerHTML = "";
    state.marks.forEach(function (m, i) {
      regionEls(m.id).forEach(function (el) {
        el.classList.add("marked"); el.style.fill = colour(m.intensity); el.setAttribute("aria-pressed", "true");
      });
      var li = document.createElement("li"); li.className = "mark"; li.setAttribute("data-mark", m.id);
      var h = document.createElement("div"); h.className = "mark-head";
      var name = document.createElement("strong"); name.textContent = regionLabel(m.id);
      h.appendChild(name); h.appendChild(removeBtn(function () { state.marks.splice(i, 1); }, regionLabel(m.id)));
      li.appendChild(h);
      li.appendChild(slider("Intensity", m.intensity, function (v) { m.intensity = v; }));
      li.appendChild(chips(m.qualities, true, function (q) {
        var k = m.qualities.indexOf(q);
        if (k >= 0) { m.qualities.splice(k, 1); } else { m.qualities.push(q); }
      }));
      list.appendChild(li);
    });
    document.querySelectorAll(".chart").forEach(function (fig) {
      if (fig._layer) { fig._layer.innerHTML = ""; }
    });
    state.strokes.forEach(function (s, i) {
      var fig = document.querySelector('.chart[data-view="' + s.view + '"]');
      if (fig && fig._layer) {
        var line = document.createElementNS(SVGNS, "polyline");
        line.setAttribute("points", s.points.map(function (q) { return q.join(","); }).join(" "));
        line.setAttribute("fill", "none"); line.setAttribute("stroke", colour(s.intensity));
        line.setAttribute("stroke-width", String(s.width)); line.setAttribute("stroke-linecap", "round");
        line.setAttribute("stroke-linejoin", "round"); line.setAttribute("stroke-opacity", "0.75");
        fig._layer.appendChild(line);
      }
      var li = document.createElement("li"); li.className = "mark stroke"; li.setAttribute("data-stroke", String(i));
      var h = document.createElement("div"); h.className = "mark-head";
      var name = document.createElement("strong"); name.textContent = "Drawn area " + (i + 1) + " (" + s.view + ")";
      h.appendChild(name); h.appendChild(removeBtn(function () { state.strokes.splice(i, 1); }, "drawn area " + (i + 1)));
      li.appendChild(h);
      li.appendChild(slider("Intensity", s.intensity, function (v) { s.intensity = v; }));
      li.appendChild(chips(s.quality ? [s.quality] : [], false, function (q) { s.quality = s.quality === q ? null : q; }));
      list.appendChild(li);
    });
    empty.hidden = state.marks.length + state.strokes.length > 0;
    input.value = JSON.stringify(state);
  }
  document.getElementById("undo").addEventListener("click", function () {
    if (!history.length) { return; }
    state = JSON.parse(history.pop()); render();
  });
  document.getElementById("clear").addEventListener("click", function () {
    if (!state.marks.length && !state.strokes.length) { return; }
    snapshot(); state = { marks: [], strokes: [] }; render();
  });
  form.addEventListener("submit", function () { input.value = JSON.stringify(state); });
  render();
})();
