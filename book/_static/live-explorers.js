// Live explorers for the static HTML book: plain JavaScript, no framework, nothing from a CDN.
//
// A chapter's notebook cell tagged `live-NAME` (rendered as <div class="cell tag_live-NAME">)
// gets the explorer NAME inserted right before its output, where the saved ipywidgets view
// of the same explorer stays (inert, see widgets-embed.js). Its data comes from
// live-gallery.js, which tools/live_gallery.py writes from cnn_lib.
//
// Each explorer's root element carries data-explorer (its name), data-function (the cnn_lib
// function it mirrors, as a path below cnn_lib), and, after every change, data-params (JSON of
// that function's keyword arguments as the explorer now holds them) and data-result (JSON of
// what this page computed). tests/test_live_explorers.py compares every state with cnn_lib.
(function () {
  "use strict";

  var G = window.LIVE_GALLERY;
  var uid = 0;
  var instances = [];

  // ------------------------------------------------------------------ small DOM helpers
  function h(tag, attrs, kids) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (attrs[key] !== null && attrs[key] !== undefined) node.setAttribute(key, attrs[key]);
    });
    (kids || []).forEach(function (kid) {
      node.appendChild(typeof kid === "string" ? document.createTextNode(kid) : kid);
    });
    return node;
  }

  function nextId(name) {
    uid += 1;
    return "live-" + name + "-" + uid;
  }

  // A labelled range slider with its value shown beside it.
  function slider(box, name, label, min, max, step, value) {
    var id = nextId(name);
    var input = h("input", {type: "range", id: id, name: name, min: min, max: max, step: step,
                            value: value});
    var out = h("output", {for: id, class: "live-readout"}, [String(value)]);
    box.appendChild(h("div", {class: "live-field"}, [h("label", {for: id}, [label]), input,
                                                      out]));
    input.addEventListener("input", function () { out.textContent = input.value; });
    input.readout = out;
    return input;
  }

  function select(box, name, label, options, value) {
    var id = nextId(name);
    var input = h("select", {id: id, name: name});
    options.forEach(function (option, i) {
      var item = h("option", {value: String(i)}, [option]);
      input.appendChild(item);
    });
    input.value = String(value);
    box.appendChild(h("div", {class: "live-field"}, [h("label", {for: id}, [label]), input]));
    return input;
  }

  function setRange(input, min, max, value) {
    input.min = min;
    input.max = max;
    input.value = Math.max(min, Math.min(max, value));
    if (input.readout) input.readout.textContent = input.value;
  }

  function intValue(input) { return parseInt(input.value, 10); }

  // ------------------------------------------------------------------ numbers and colours
  function fmt(v, digits) {
    if (v === null || v === undefined || Number.isNaN(v)) return "NaN";
    if (Math.abs(v - Math.round(v)) < 1e-9) return String(Math.round(v));
    var s = v.toFixed(digits === undefined ? 2 : digits);
    return s.replace(/0+$/, "").replace(/\.$/, "");
  }

  function theme() {
    var style = getComputedStyle(document.documentElement);
    var dark = document.documentElement.getAttribute("data-theme") === "dark";
    function v(name, fallback) {
      var value = style.getPropertyValue(name).trim();
      return value || fallback;
    }
    return {
      dark: dark,
      text: v("--pst-color-text-base", dark ? "#ced6dd" : "#222832"),
      muted: v("--pst-color-text-muted", dark ? "#9ca4af" : "#646b72"),
      background: v("--pst-color-background", dark ? "#121212" : "#ffffff"),
      surface: v("--pst-color-surface", dark ? "#29313d" : "#f3f4f5"),
      border: v("--pst-color-border", dark ? "#48566b" : "#d1d5da"),
      primary: v("--pst-color-primary", dark ? "#3fb1c5" : "#0a7d91"),
      danger: dark ? "#ff7b72" : "#d62728",
      boxA: dark ? "#6baed6" : "#08519c",
      boxB: dark ? "#fdae6b" : "#a63603",
    };
  }

  function signedColour(t) {  // t in [0, 1] -> "rgb(...)" of the book's RdBu_r
    var map = G.signedColormap, x = Math.max(0, Math.min(1, t)) * (map.length - 1);
    var i = Math.min(map.length - 2, Math.floor(x)), f = x - i, a = map[i], b = map[i + 1];
    return [a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1]), a[2] + f * (b[2] - a[2])];
  }

  function rgb(c) { return "rgb(" + Math.round(c[0]) + "," + Math.round(c[1]) + "," +
                           Math.round(c[2]) + ")"; }

  function inkOn(c) {  // black or white text on the colour c
    return 0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2] > 140 ? "#111" : "#fff";
  }

  // A canvas of w x h CSS pixels, sharp on high-density screens; returns its 2-D context.
  function prepare(canvas, w, hgt) {
    var ratio = window.devicePixelRatio || 1;
    if (canvas.width !== Math.round(w * ratio) || canvas.height !== Math.round(hgt * ratio)) {
      canvas.width = Math.round(w * ratio);
      canvas.height = Math.round(hgt * ratio);
    }
    canvas.style.width = w + "px";
    canvas.cssWidth = w;
    var ctx = canvas.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, w, hgt);
    return ctx;
  }

  // Pointer position in CSS pixels of the canvas' own drawing (it may be shrunk on phones).
  function pointerAt(canvas, event) {
    var rect = canvas.getBoundingClientRect();
    var scale = (canvas.cssWidth || rect.width) / rect.width;
    return {x: (event.clientX - rect.left) * scale, y: (event.clientY - rect.top) * scale};
  }

  // Draw a matrix as cells with numbers. opts.fill(i, j, v) -> [r, g, b] or null,
  // opts.text(i, j, v) -> string or null.
  function drawCells(ctx, x0, y0, rows, cols, cell, t, fill, text) {
    ctx.font = Math.max(10, Math.min(14, Math.floor(cell * 0.42))) + "px sans-serif";
    ctx.textAlign = "center";
    ctx.textBaseline = "middle";
    for (var i = 0; i < rows; i++) {
      for (var j = 0; j < cols; j++) {
        var c = fill ? fill(i, j) : null;
        var x = x0 + j * cell, y = y0 + i * cell;
        if (c) {
          ctx.fillStyle = rgb(c);
          ctx.fillRect(x, y, cell, cell);
        }
        ctx.strokeStyle = t.border;
        ctx.lineWidth = 1;
        ctx.strokeRect(x + 0.5, y + 0.5, cell - 1, cell - 1);
        var s = text ? text(i, j) : null;
        if (s !== null && s !== undefined) {
          ctx.fillStyle = c ? inkOn(c) : t.text;
          ctx.fillText(s, x + cell / 2, y + cell / 2 + 0.5);
        }
      }
    }
  }

  function outline(ctx, x, y, w, hgt, colour, width, dash) {
    ctx.save();
    ctx.strokeStyle = colour;
    ctx.lineWidth = width || 3;
    if (dash) ctx.setLineDash(dash);
    ctx.strokeRect(x, y, w, hgt);
    ctx.restore();
  }

  function label(ctx, s, x, y, t, align) {
    ctx.font = "13px sans-serif";
    ctx.textAlign = align || "left";
    ctx.textBaseline = "alphabetic";
    ctx.fillStyle = t.text;
    ctx.fillText(s, x, y);
  }

  function surfaceRGB(t) { return t.dark ? [41, 49, 61] : [235, 237, 240]; }
  function paperRGB(t) { return t.dark ? [24, 24, 24] : [255, 255, 255]; }

  // ------------------------------------------------------------------ the explorer frame
  // Builds the root element: title, controls box, figure, status line (read by screen
  // readers); returns an object whose publish() sets data-params / data-result.
  function frame(name, fn, title, hint) {
    var root = h("section", {class: "live-explorer", "data-explorer": name,
                             "data-function": fn, "aria-label": title + " (live explorer)"});
    var heading = h("p", {class: "live-title"}, [h("strong", {}, [title]),
                                                  " · live, runs in your browser"]);
    var controls = h("div", {class: "live-controls"});
    var figure = h("div", {class: "live-figure"});
    var status = h("p", {class: "live-status", "aria-live": "polite", role: "status"});
    root.appendChild(heading);
    if (hint) root.appendChild(h("p", {class: "live-hint"}, [hint]));
    root.appendChild(controls);
    root.appendChild(figure);
    root.appendChild(status);
    var api = {
      root: root, controls: controls, figure: figure, status: status,
      publish: function (fnName, params, result, text) {
        root.setAttribute("data-function", fnName);
        root.setAttribute("data-params", typeof params === "string" ? params :
          JSON.stringify(params));
        root.setAttribute("data-result", JSON.stringify(result));
        status.textContent = text;
      },
    };
    return api;
  }

  function canvas(figure, alt, caption) {
    var c = h("canvas", {role: "img", "aria-label": alt, class: "live-canvas"});
    var box = h("figure", {class: "live-panel"}, [c]);
    if (caption) {
      var cap = h("figcaption", {}, [caption]);
      box.appendChild(cap);
      c.caption = cap;
    }
    figure.appendChild(box);
    return c;
  }

  function zeros(rows, cols) {
    var a = [];
    for (var i = 0; i < rows; i++) {
      a.push(new Array(cols).fill(0));
    }
    return a;
  }

  // ================================================================== ch. 2: filter explorer
  // mirrors scratch.conv2d(input, weight / divisor, padding="same"): zero padding, same size
  function filterExplorer() {
    var f = frame("filter", "scratch.conv2d", "Filter explorer",
                  "Pick an image and a kernel, or type the nine weights and the divisor.");
    var imageNames = G.images.map(function (im) { return im.name; });
    var kernelNames = G.kernels.map(function (k) { return k.name; }).concat(["(typed)"]);
    var imageSel = select(f.controls, "image", "image", imageNames, 0);
    var kernelSel = select(f.controls, "kernel", "kernel", kernelNames, 2);
    var grid = h("div", {class: "live-kernel", role: "group",
                         "aria-label": "kernel weights, 3 by 3"});
    var boxes = [];
    for (var r = 0; r < 3; r++) {
      for (var c = 0; c < 3; c++) {
        var box = h("input", {type: "number", min: -99, max: 99, step: 1, value: 0,
                              name: "w" + r + c, "aria-label": "weight row " + (r + 1) +
                              ", column " + (c + 1)});
        boxes.push(box);
        grid.appendChild(box);
      }
    }
    var divId = nextId("divisor");
    var divisor = h("input", {type: "number", id: divId, name: "divisor", min: -99, max: 99,
                              step: 1, value: 1});
    f.controls.appendChild(h("div", {class: "live-field live-kernel-field"}, [
      h("span", {class: "live-label"}, ["weights"]), grid,
      h("label", {for: divId}, ["÷"]), divisor]));
    var inCanvas = canvas(f.figure, "the input image in grey", "input");
    var outCanvas = canvas(f.figure, "the filtered image", "output");
    var bar = h("canvas", {class: "live-colorbar", role: "img"});
    var barText = h("div", {class: "live-colorbar-text"});
    outCanvas.parentNode.appendChild(bar);
    outCanvas.parentNode.appendChild(barText);

    var images = G.images.map(function (im) {
      var n = im.size, X = new Float64Array(n * n);
      for (var i = 0; i < n * n; i++) X[i] = im.levels[i] / 255;
      var rows = [];
      for (var r = 0; r < n; r++) rows.push(Array.prototype.slice.call(X, r * n, r * n + n));
      return {size: n, X: X, json: JSON.stringify([[rows]])};
    });
    var Y = null, lastSigned = false, lastLimit = 1;

    function fillKernel(k) {
      var spec = G.kernels[k];
      for (var i = 0; i < 9; i++) boxes[i].value = spec.kernel[Math.floor(i / 3)][i % 3];
      divisor.value = spec.divisor;
    }

    function matchKernel() {
      var vals = boxes.map(function (b) { return Number(b.value); });
      for (var k = 0; k < G.kernels.length; k++) {
        var spec = G.kernels[k], same = spec.divisor === Number(divisor.value);
        for (var i = 0; same && i < 9; i++) {
          same = spec.kernel[Math.floor(i / 3)][i % 3] === vals[i];
        }
        if (same) return k;
      }
      return G.kernels.length;
    }

    function update() {
      var vals = boxes.map(function (b) { return b.value.trim() === "" ? NaN : Number(b.value); });
      var d = divisor.value.trim() === "" ? NaN : Number(divisor.value);
      if (vals.some(function (v) { return !Number.isFinite(v); }) || !Number.isFinite(d) ||
          d === 0) {
        f.status.textContent = d === 0 ? "The divisor must not be 0 (the kernel is divided " +
          "by it)." : "Type a number in every weight box and in the divisor.";
        f.root.setAttribute("data-result", "null");
        return;
      }
      var im = images[intValue(imageSel)], n = im.size, X = im.X;
      var w = vals.map(function (v) { return v / d; });
      Y = new Float64Array(n * n);
      // 'same' correlation with zero padding: Y[i,j] = sum_ab w[a,b] X[i+a-1, j+b-1]
      for (var i = 0; i < n; i++) {
        for (var j = 0; j < n; j++) {
          var s = 0;
          for (var a = 0; a < 3; a++) {
            var row = i + a - 1;
            if (row < 0 || row >= n) continue;
            var base = row * n;
            for (var b = 0; b < 3; b++) {
              var col = j + b - 1;
              if (col >= 0 && col < n) s += w[a * 3 + b] * X[base + col];
            }
          }
          Y[i * n + j] = s;
        }
      }
      var sum = w.reduce(function (p, q) { return p + q; }, 0);
      lastSigned = sum <= 1e-12;
      lastLimit = lastSigned ? robustLimit(Y) : 1;
      draw();
      var rows = [];
      for (var r = 0; r < n; r++) rows.push(Array.prototype.slice.call(Y, r * n, r * n + n));
      var lo = Infinity, hi = -Infinity;
      for (var q = 0; q < Y.length; q++) { if (Y[q] < lo) lo = Y[q]; if (Y[q] > hi) hi = Y[q]; }
      var weightRows = [w.slice(0, 3), w.slice(3, 6), w.slice(6, 9)];
      var text = "Output range " + lo.toFixed(2) + " … " + hi.toFixed(2) + "; " +
        (lastSigned ? "the weights sum to " + fmt(sum) + ", so the output is signed: blue " +
          "negative, white 0, red positive (saturating at ±" + lastLimit.toFixed(2) + ")." :
          "grey from 0 (black) to 1 (white), clipped.");
      f.publish("scratch.conv2d", '{"input":' + im.json + ',"weight":' +
                JSON.stringify([[weightRows]]) + ',"padding":"same"}', [[rows]],
                imageNames[intValue(imageSel)] + " filtered with " +
                kernelNames[intValue(kernelSel)] + ". " + text);
    }

    function robustLimit(A) {  // 99.5th percentile of |A| (numpy's linear rule), else max
      var abs = Float64Array.from(A, Math.abs).sort();
      var pos = 0.995 * (abs.length - 1), lo = Math.floor(pos);
      var v = abs[lo] + (pos - lo) * ((abs[Math.min(lo + 1, abs.length - 1)]) - abs[lo]);
      if (v > 0) return v;
      return abs[abs.length - 1] > 0 ? abs[abs.length - 1] : 1;
    }

    // The image is computed at n x n pixels and drawn at the canvas' own resolution, each
    // pixel a sharp block (never a blurred enlargement).
    function paint(cv, A, n, signed, limit) {
      var off = cv.offscreen || (cv.offscreen = document.createElement("canvas"));
      if (off.width !== n || off.height !== n) {
        off.width = n;
        off.height = n;
        off.pixels = null;
      }
      var octx = off.getContext("2d");
      off.pixels = off.pixels || octx.createImageData(n, n);
      var data = off.pixels.data;
      for (var p = 0; p < n * n; p++) {
        var c;
        if (signed) {
          c = signedColour((Math.max(-limit, Math.min(limit, A[p])) / limit + 1) / 2);
        } else {
          var g = Math.round(Math.max(0, Math.min(1, A[p])) * 255);
          c = [g, g, g];
        }
        data[4 * p] = c[0]; data[4 * p + 1] = c[1]; data[4 * p + 2] = c[2];
        data[4 * p + 3] = 255;
      }
      octx.putImageData(off.pixels, 0, 0);
      var size = window.innerWidth < 500 ? 140 : 160, ctx = prepare(cv, size, size);
      ctx.imageSmoothingEnabled = false;
      ctx.drawImage(off, 0, 0, size, size);
    }

    function draw() {
      var im = images[intValue(imageSel)];
      paint(inCanvas, im.X, im.size, false, 1);
      if (Y) paint(outCanvas, Y, im.size, lastSigned, lastLimit);
      var t = theme(), w = 140, ctx = prepare(bar, w, 10);
      for (var x = 0; x < w; x++) {
        var u = x / (w - 1);
        ctx.fillStyle = lastSigned ? rgb(signedColour(u)) : rgb([u * 255, u * 255, u * 255]);
        ctx.fillRect(x, 0, 1, 10);
      }
      outline(ctx, 0.5, 0.5, w - 1, 9, t.border, 1);
      barText.textContent = lastSigned ? "−" + lastLimit.toFixed(2) + "   0   +" +
        lastLimit.toFixed(2) : "0 (black)   1 (white)";
      bar.setAttribute("aria-label", "colour bar: " + barText.textContent);
      outCanvas.setAttribute("aria-label", lastSigned ?
        "the filtered image, signed colours: blue negative, red positive" :
        "the filtered image in grey");
    }

    imageSel.addEventListener("change", update);
    kernelSel.addEventListener("change", function () {
      if (intValue(kernelSel) < G.kernels.length) fillKernel(intValue(kernelSel));
      update();
    });
    boxes.concat([divisor]).forEach(function (b) {
      b.addEventListener("input", function () {
        kernelSel.value = String(matchKernel());
        update();
      });
    });
    fillKernel(2);
    return {root: f.root, update: update, draw: draw, init: update};
  }

  // ================================================================== ch. 2: sliding window
  // mirrors scratch.corr2d(X, K); data-result is the output so far (null where not yet filled)
  function slidingWindowExplorer() {
    var f = frame("sliding-window", "scratch.corr2d", "Sliding window",
                  "Step the window with the slider (or drag it on the input): each output " +
                  "value is the sum of the window times the kernel.");
    var names = G.sliding.map(function (e) { return e.name; });
    var exampleSel = select(f.controls, "example", "example", names, 0);
    var pos = slider(f.controls, "position", "window position", 0, 8, 1, 0);
    var inCanvas = canvas(f.figure, "the input X with the window outlined", "input X");
    var kCanvas = canvas(f.figure, "the kernel K", "kernel K");
    var prodCanvas = canvas(f.figure, "the products of the window and the kernel",
                            "window × kernel");
    var outCanvas = canvas(f.figure, "the output so far", "output so far");
    var sumLine = h("p", {class: "live-formula"});
    f.figure.appendChild(sumLine);
    var st = null;

    function compute() {
      var ex = G.sliding[intValue(exampleSel)], X = ex.X, K = ex.K;
      var kh = K.length, kw = K[0].length, ho = X.length - kh + 1, wo = X[0].length - kw + 1;
      var p = Math.min(intValue(pos), ho * wo - 1), Y = zeros(ho, wo), sofar = [];
      for (var i = 0; i < ho; i++) {
        var row = [];
        for (var j = 0; j < wo; j++) {
          var s = 0;
          for (var a = 0; a < kh; a++) for (var b = 0; b < kw; b++) s += X[i + a][j + b] * K[a][b];
          Y[i][j] = s;
          row.push(i * wo + j <= p ? s : null);
        }
        sofar.push(row);
      }
      return {X: X, K: K, kh: kh, kw: kw, ho: ho, wo: wo, p: p, i: Math.floor(p / wo),
              j: p % wo, Y: Y, sofar: sofar};
    }

    function update() {
      var ex = G.sliding[intValue(exampleSel)];
      var ho = ex.X.length - ex.K.length + 1, wo = ex.X[0].length - ex.K[0].length + 1;
      if (Number(pos.max) !== ho * wo - 1) setRange(pos, 0, ho * wo - 1, intValue(pos));
      st = compute();
      var terms = [];
      for (var a = 0; a < st.kh; a++) {
        for (var b = 0; b < st.kw; b++) {
          terms.push(fmt(st.X[st.i + a][st.j + b]) + "·" + fmt(st.K[a][b]));
        }
      }
      var value = st.Y[st.i][st.j];
      sumLine.textContent = "Y[" + st.i + ", " + st.j + "] = " + terms.join(" + ") + " = " +
        fmt(value);
      pos.setAttribute("aria-valuetext", "position " + (st.p + 1) + " of " + st.ho * st.wo +
                       ": row " + st.i + ", column " + st.j);
      pos.readout.textContent = (st.p + 1) + " / " + st.ho * st.wo;
      draw();
      f.publish("scratch.corr2d", {X: st.X, K: st.K}, st.sofar,
                "Window at row " + st.i + ", column " + st.j + ": the sum of its " +
                st.kh * st.kw + " products is " + fmt(value) + ". " + (st.p + 1) + " of " +
                st.ho * st.wo + " output values computed.");
    }

    function cellSize(n) { return Math.max(26, Math.min(36, Math.floor(200 / n))); }

    function draw() {
      if (!st) return;
      var t = theme(), X = st.X, n = X.length, m = X[0].length, cell = cellSize(n);
      var ctx = prepare(inCanvas, m * cell + 2, n * cell + 2);
      var kmax = Math.max.apply(null, X.map(function (r) { return Math.max.apply(null, r); }));
      drawCells(ctx, 1, 1, n, m, cell, t, function (i, j) {
        var inside = i >= st.i && i < st.i + st.kh && j >= st.j && j < st.j + st.kw;
        var g = X[i][j] / (kmax || 1);
        var base = t.dark ? [40 + 80 * g, 40 + 80 * g, 40 + 80 * g] :
          [255 - 60 * g, 255 - 60 * g, 255 - 60 * g];
        return inside ? (t.dark ? [20, 90, 110] : [198, 232, 238]) : base;
      }, function (i, j) { return fmt(X[i][j]); });
      outline(ctx, 1 + st.j * cell + 1.5, 1 + st.i * cell + 1.5, st.kw * cell - 3,
              st.kh * cell - 3, t.primary, 3);
      var pc = cell;
      var ctxK = prepare(kCanvas, st.kw * pc + 2, st.kh * pc + 2);
      drawCells(ctxK, 1, 1, st.kh, st.kw, pc, t, null, function (a, b) {
        return fmt(st.K[a][b]);
      });
      var ctx2 = prepare(prodCanvas, st.kw * pc + 2, st.kh * pc + 2);
      drawCells(ctx2, 1, 1, st.kh, st.kw, pc, t, null, function (a, b) {
        return fmt(X[st.i + a][st.j + b] * st.K[a][b]);
      });
      outline(ctx2, 2.5, 2.5, st.kw * pc - 3, st.kh * pc - 3, t.primary, 3);
      var ctx3 = prepare(outCanvas, st.wo * cell + 2, st.ho * cell + 2);
      drawCells(ctx3, 1, 1, st.ho, st.wo, cell, t, function (i, j) {
        return st.sofar[i][j] === null ? surfaceRGB(t) : null;
      }, function (i, j) { return st.sofar[i][j] === null ? "" : fmt(st.sofar[i][j]); });
      outline(ctx3, 1 + st.j * cell + 1.5, 1 + st.i * cell + 1.5, cell - 3, cell - 3,
              t.primary, 3);
    }

    function dragTo(event, onOutput) {
      if (!st) return;
      var pt = pointerAt(onOutput ? outCanvas : inCanvas, event);
      var cell = cellSize(st.X.length);
      var i = Math.floor((pt.y - 1) / cell), j = Math.floor((pt.x - 1) / cell);
      if (!onOutput) {  // centre the window on the pointer
        i -= Math.floor(st.kh / 2);
        j -= Math.floor(st.kw / 2);
      }
      i = Math.max(0, Math.min(st.ho - 1, i));
      j = Math.max(0, Math.min(st.wo - 1, j));
      var p = i * st.wo + j;
      if (p !== intValue(pos)) {
        pos.value = p;
        update();
      }
    }
    [[inCanvas, false], [outCanvas, true]].forEach(function (pair) {
      var cv = pair[0], dragging = false;
      cv.style.touchAction = "none";
      cv.addEventListener("pointerdown", function (e) {
        dragging = true;
        cv.setPointerCapture(e.pointerId);
        dragTo(e, pair[1]);
      });
      cv.addEventListener("pointermove", function (e) { if (dragging) dragTo(e, pair[1]); });
      cv.addEventListener("pointerup", function () { dragging = false; });
    });
    exampleSel.addEventListener("change", update);
    pos.addEventListener("input", update);
    return {root: f.root, update: update, draw: draw, init: update};
  }

  // ================================================================== ch. 3: padding / stride
  // mirrors arithmetic.conv_output_size(size, kernel_size, stride, padding, dilation)
  function paddingExplorer() {
    var f = frame("padding", "arithmetic.conv_output_size", "Padding, stride and dilation",
                  "Change the sizes; step the window to see where each one lands on the " +
                  "padded input.");
    var size = slider(f.controls, "size", "input size H", 3, 8, 1, 5);
    var kernel = slider(f.controls, "kernel_size", "kernel size F", 1, 5, 1, 3);
    var padding = slider(f.controls, "padding", "padding P", 0, 3, 1, 1);
    var stride = slider(f.controls, "stride", "stride S", 1, 4, 1, 2);
    var dilation = slider(f.controls, "dilation", "dilation D", 1, 3, 1, 1);
    var pos = slider(f.controls, "window", "window", 0, 8, 1, 0);
    var gridCanvas = canvas(f.figure, "the padded input with the current window",
                            "padded input (zeros shaded)");
    var outCanvas = canvas(f.figure, "the output grid", "output (window sums)");
    var formula = h("p", {class: "live-formula"});
    var warning = h("p", {class: "live-warning", hidden: ""});
    f.figure.appendChild(formula);
    f.figure.appendChild(warning);
    var st = null;

    function update() {
      var H = intValue(size), F = intValue(kernel), P = intValue(padding), S = intValue(stride);
      var D = intValue(dilation), span = D * (F - 1) + 1, Hp = H + 2 * P;
      var params = {size: H, kernel_size: F, stride: S, padding: P, dilation: D};
      var fits = span <= Hp, out = fits ? Math.floor((Hp - span) / S) + 1 : 0;
      var rest = fits ? (Hp - span) % S : 0;
      setRange(pos, 0, Math.max(0, out * out - 1), intValue(pos));
      pos.disabled = !fits;
      var p = intValue(pos);
      st = {H: H, F: F, P: P, S: S, D: D, span: span, Hp: Hp, out: out, fits: fits, rest: rest,
            i: out ? Math.floor(p / out) : 0, j: out ? p % out : 0};
      var general = "H_out = ⌊(H + 2P − D(F − 1) − 1) / S⌋ + 1";
      var text;
      if (!fits) {
        formula.textContent = general + ": the kernel spans D(F − 1) + 1 = " + span +
          " cells, more than the padded input's " + H + " + 2·" + P + " = " + Hp + ".";
        warning.hidden = false;
        warning.textContent = "The kernel does not fit: there is no output at all. " +
          "Add padding or use a smaller kernel or dilation.";
        text = formula.textContent + " " + warning.textContent;
        draw();
        f.publish("arithmetic.conv_output_size", params, null, text);
        return;
      }
      var num = Hp - span;
      formula.textContent = general + " = ⌊(" + H + " + 2·" + P + " − " + D + "·(" + F +
        " − 1) − 1) / " + S + "⌋ + 1 = ⌊" + num + " / " + S + "⌋ + 1 = " + out;
      if (rest) {
        warning.hidden = false;
        warning.textContent = "⚠ The stride does not fit: (" + H + " + 2·" + P + " − " + span +
          ") / " + S + " + 1 = " + fmt(num / S + 1) + " is not a whole number, so the last " +
          rest + (rest === 1 ? " row and column" : " rows and columns") + " of the padded " +
          "input are never read (PyTorch drops them without a word).";
      } else {
        warning.hidden = true;
        warning.textContent = "";
      }
      pos.setAttribute("aria-valuetext", "window " + (p + 1) + " of " + out * out + ": output " +
                       "row " + st.i + ", column " + st.j);
      pos.readout.textContent = (p + 1) + " / " + out * out;
      draw();
      text = "Output " + out + "×" + out + ". " + formula.textContent + ". " +
        (rest ? warning.textContent + " " : "") + "Window " + (p + 1) + " starts at row " +
        st.i * S + ", column " + st.j * S + " of the padded input.";
      f.publish("arithmetic.conv_output_size", params, out, text);
    }

    function value(r, c) {  // the padded example input: 1..H*H inside, 0 in the padding
      var a = r - st.P, b = c - st.P;
      return a >= 0 && a < st.H && b >= 0 && b < st.H ? a * st.H + b + 1 : 0;
    }

    function draw() {
      if (!st) return;
      var t = theme(), n = st.Hp, cell = Math.max(22, Math.min(34, Math.floor(320 / n)));
      var ctx = prepare(gridCanvas, n * cell + 2, n * cell + 2);
      var read = st.fits ? (st.out - 1) * st.S + st.span : 0;
      var taps = {};
      if (st.fits) {
        for (var a = 0; a < st.F; a++) {
          for (var b = 0; b < st.F; b++) {
            taps[(st.i * st.S + a * st.D) + "," + (st.j * st.S + b * st.D)] = true;
          }
        }
      }
      drawCells(ctx, 1, 1, n, n, cell, t, function (r, c) {
        if (taps[r + "," + c]) return t.dark ? [20, 90, 110] : [168, 220, 230];
        if (st.fits && (r >= read || c >= read)) return t.dark ? [90, 40, 40] : [250, 215, 210];
        var inside = value(r, c) > 0;
        return inside ? paperRGB(t) : surfaceRGB(t);
      }, function (r, c) { return String(value(r, c)); });
      if (st.fits) {
        outline(ctx, 1 + st.j * st.S * cell + 1.5, 1 + st.i * st.S * cell + 1.5,
                st.span * cell - 3, st.span * cell - 3, t.primary, 3);
        outline(ctx, 1 + st.P * cell, 1 + st.P * cell, st.H * cell, st.H * cell, t.muted, 1.5,
                [4, 3]);
      }
      var oc = 30, o = Math.max(1, st.out);
      var ctx2 = prepare(outCanvas, o * oc + 2, o * oc + 2);
      if (!st.fits) {
        label(ctx2, "—", oc / 2, oc / 2 + 4, t, "center");
        return;
      }
      drawCells(ctx2, 1, 1, st.out, st.out, oc, t, null, function (i, j) {
        var s = 0;
        for (var a = 0; a < st.F; a++) {
          for (var b = 0; b < st.F; b++) s += value(i * st.S + a * st.D, j * st.S + b * st.D);
        }
        return String(s);
      });
      outline(ctx2, 1 + st.j * oc + 1.5, 1 + st.i * oc + 1.5, oc - 3, oc - 3, t.primary, 3);
    }

    [size, kernel, padding, stride, dilation, pos].forEach(function (c) {
      c.addEventListener("input", update);
    });
    return {root: f.root, update: update, draw: draw, init: update};
  }

  // ================================================================== ch. 4: pooling
  // mirrors scratch.max_pool2d / avg_pool2d / lp_pool2d(norm_type=2) on a (2, H, W) input:
  // channel 0 is the digit, channel 1 the digit shifted right (pooling is per channel)
  function poolingExplorer() {
    var f = frame("pooling", "scratch.max_pool2d", "Pooling and a shifted input",
                  "Shift the digit and see which pooled outputs change (outlined).");
    var kinds = G.poolings;
    var kind = select(f.controls, "kind", "pooling", kinds, 0);
    var kernel = slider(f.controls, "kernel_size", "window", 1, 4, 1, 2);
    var stride = slider(f.controls, "stride", "stride", 1, 4, 1, 2);
    var shift = slider(f.controls, "shift", "shift right", 0, 4, 1, 1);
    var digit = slider(f.controls, "digit", "digit", 0, G.digits.length - 1, 1, 0);
    var inCanvas = canvas(f.figure, "the shifted digit", "input, shifted");
    var aCanvas = canvas(f.figure, "pooled original", "pooled: original");
    var bCanvas = canvas(f.figure, "pooled shifted, changed outputs outlined",
                         "pooled: shifted");
    var st = null;

    function pool(X, k, s, how) {
      var n = X.length, m = X[0].length, ho = Math.floor((n - k) / s) + 1;
      var wo = Math.floor((m - k) / s) + 1, out = zeros(ho, wo);
      for (var i = 0; i < ho; i++) {
        for (var j = 0; j < wo; j++) {
          var best = -Infinity, sum = 0, sq = 0;
          for (var a = 0; a < k; a++) {
            for (var b = 0; b < k; b++) {
              var v = X[i * s + a][j * s + b];
              if (v > best) best = v;
              sum += v;
              sq += v * v;
            }
          }
          out[i][j] = how === 0 ? best : how === 1 ? sum / (k * k) : Math.sqrt(sq);
        }
      }
      return out;
    }

    function update() {
      var how = intValue(kind), k = intValue(kernel), s = intValue(stride);
      var sh = intValue(shift), X = G.digits[intValue(digit)];
      var shifted = X.map(function (row) {
        return row.map(function (v, j) { return j - sh >= 0 ? row[j - sh] : 0; });
      });
      var A = pool(X, k, s, how), B = pool(shifted, k, s, how);
      var active = 0, changed = 0;
      for (var i = 0; i < A.length; i++) {
        for (var j = 0; j < A[0].length; j++) {
          var on = Math.abs(A[i][j]) > 1e-9 || Math.abs(B[i][j]) > 1e-9;
          if (on) {
            active += 1;
            if (Math.abs(A[i][j] - B[i][j]) > 1e-9) changed += 1;
          }
        }
      }
      st = {X: X, shifted: shifted, A: A, B: B, k: k, s: s, sh: sh};
      draw();
      var names = ["scratch.max_pool2d", "scratch.avg_pool2d", "scratch.lp_pool2d"];
      var params = how === 2 ? {input: [X, shifted], norm_type: 2, kernel_size: k, stride: s} :
        {input: [X, shifted], kernel_size: k, stride: s};
      f.publish(names[how], params, [A, B],
                kinds[how] + " pooling " + k + "×" + k + ", stride " + s + ", shift " + sh +
                ": " + changed + " of " + active + " active outputs changed (" +
                Math.round(100 * (active ? changed / active : 0)) + "%), output " + A.length +
                "×" + A[0].length + ".");
    }

    function draw() {
      if (!st) return;
      var t = theme(), n = st.X.length, cell = 14;
      var ctx = prepare(inCanvas, n * cell + 2, n * cell + 2);
      drawCells(ctx, 1, 1, n, n, cell, t, function (i, j) {
        var g = st.shifted[i][j] / 16;
        return t.dark ? [g * 235 + 20, g * 235 + 20, g * 235 + 20] :
          [255 - g * 235, 255 - g * 235, 255 - g * 235];
      }, null);
      // the windows of the first output row, to show their size and stride
      outline(ctx, 1.5, 1.5, st.k * cell - 1, st.k * cell - 1, t.primary, 2);
      var ho = st.A.length, pc = Math.max(16, Math.min(40, Math.floor(170 / ho)));
      var whole = [st.A, st.B].every(function (M) {
        return M.every(function (r) { return r.every(function (v) {
          return Math.abs(v - Math.round(v)) < 1e-9;
        }); });
      });
      [[aCanvas, st.A, false], [bCanvas, st.B, true]].forEach(function (job) {
        var M = job[1], c2 = prepare(job[0], M[0].length * pc + 2, M.length * pc + 2);
        var top = 16;
        M.forEach(function (r) { r.forEach(function (v) { if (v > top) top = v; }); });
        drawCells(c2, 1, 1, M.length, M[0].length, pc, t, function (i, j) {
          var g = M[i][j] / top;
          return t.dark ? [g * 235 + 20, g * 235 + 20, g * 235 + 20] :
            [255 - g * 235, 255 - g * 235, 255 - g * 235];
        }, pc >= 28 ? function (i, j) { return whole ? fmt(M[i][j]) : M[i][j].toFixed(1); } :
          null);
        if (job[2]) {
          for (var i = 0; i < M.length; i++) {
            for (var j = 0; j < M[0].length; j++) {
              if (Math.abs(st.A[i][j] - st.B[i][j]) > 1e-9) {
                outline(c2, 1 + j * pc + 1.5, 1 + i * pc + 1.5, pc - 3, pc - 3, t.danger, 2.5);
              }
            }
          }
        }
      });
    }

    kind.addEventListener("change", update);
    [kernel, stride, shift, digit].forEach(function (c) { c.addEventListener("input", update); });
    return {root: f.root, update: update, draw: draw, init: update};
  }

  // ================================================================== ch. 6: IoU
  // mirrors detection.box_iou(boxes1=[A], boxes2=[B]) on a grid of whole cells
  function iouExplorer() {
    var f = frame("iou", "detection.box_iou", "Intersection over union",
                  "Drag a box (or its lower-right corner to resize it), or use the sliders.");
    var N = G.iou.canvas;
    function boxControls(tag, box, colourName) {
      var set = h("fieldset", {class: "live-fieldset"}, [h("legend", {}, ["box " + tag +
                                                                            " (" + colourName +
                                                                            ")"])]);
      f.controls.appendChild(set);
      return {
        x: slider(set, tag + "x", tag + " left x1", 0, N - 1, 1, box[0]),
        y: slider(set, tag + "y", tag + " top y1", 0, N - 1, 1, box[1]),
        w: slider(set, tag + "w", tag + " width", 1, N - box[0], 1, box[2] - box[0]),
        h: slider(set, tag + "h", tag + " height", 1, N - box[1], 1, box[3] - box[1]),
      };
    }
    var A = boxControls("A", G.iou.boxA, "blue"), B = boxControls("B", G.iou.boxB, "orange");
    var view = canvas(f.figure, "two boxes on a grid, their overlap hatched", null);
    var formula = h("p", {class: "live-formula"});
    f.figure.appendChild(formula);
    var cell = 15, st = null;

    function read(c) {
      setRange(c.w, 1, N - intValue(c.x), intValue(c.w));
      setRange(c.h, 1, N - intValue(c.y), intValue(c.h));
      var x = intValue(c.x), y = intValue(c.y);
      return [x, y, x + intValue(c.w), y + intValue(c.h)];
    }

    function update() {
      var a = read(A), b = read(B);
      var iw = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0]));
      var ih = Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
      var inter = iw * ih, areaA = (a[2] - a[0]) * (a[3] - a[1]);
      var areaB = (b[2] - b[0]) * (b[3] - b[1]), union = areaA + areaB - inter;
      var iou = inter / union;
      st = {a: a, b: b, iou: iou};
      formula.textContent = "IoU = |A ∩ B| / |A ∪ B| = " + inter + " / (" + areaA + " + " +
        areaB + " − " + inter + ") = " + inter + " / " + union + " = " + iou.toFixed(3);
      draw();
      f.publish("detection.box_iou", {boxes1: [a], boxes2: [b]}, [[iou]],
                "Box A " + a.join(", ") + "; box B " + b.join(", ") + ". Overlap " + inter +
                " cells, union " + union + " cells, IoU " + iou.toFixed(3) + ".");
    }

    function draw() {
      if (!st) return;
      var t = theme(), size = N * cell;
      var ctx = prepare(view, size + 2, size + 2);
      ctx.fillStyle = rgb(paperRGB(t));
      ctx.fillRect(1, 1, size, size);
      ctx.strokeStyle = t.border;
      ctx.lineWidth = 1;
      for (var k = 0; k <= N; k++) {
        ctx.beginPath();
        ctx.moveTo(1 + k * cell + 0.5, 1);
        ctx.lineTo(1 + k * cell + 0.5, size + 1);
        ctx.moveTo(1, 1 + k * cell + 0.5);
        ctx.lineTo(size + 1, 1 + k * cell + 0.5);
        ctx.stroke();
      }
      [[st.a, t.boxA], [st.b, t.boxB]].forEach(function (job) {
        var bx = job[0];
        ctx.globalAlpha = 0.25;
        ctx.fillStyle = job[1];
        ctx.fillRect(1 + bx[0] * cell, 1 + bx[1] * cell, (bx[2] - bx[0]) * cell,
                     (bx[3] - bx[1]) * cell);
        ctx.globalAlpha = 1;
        outline(ctx, 1 + bx[0] * cell, 1 + bx[1] * cell, (bx[2] - bx[0]) * cell,
                (bx[3] - bx[1]) * cell, job[1], 2.5);
        ctx.fillStyle = job[1];  // the resize handle
        ctx.fillRect(1 + bx[2] * cell - 5, 1 + bx[3] * cell - 5, 8, 8);
      });
      var x1 = Math.max(st.a[0], st.b[0]), y1 = Math.max(st.a[1], st.b[1]);
      var x2 = Math.min(st.a[2], st.b[2]), y2 = Math.min(st.a[3], st.b[3]);
      if (x2 > x1 && y2 > y1) {  // hatch the overlap
        ctx.save();
        ctx.beginPath();
        ctx.rect(1 + x1 * cell, 1 + y1 * cell, (x2 - x1) * cell, (y2 - y1) * cell);
        ctx.clip();
        ctx.strokeStyle = t.text;
        ctx.lineWidth = 1;
        for (var d = -size; d < size; d += 6) {
          ctx.beginPath();
          ctx.moveTo(1 + d, 1);
          ctx.lineTo(1 + d + size, 1 + size);
          ctx.stroke();
        }
        ctx.restore();
      }
      ctx.font = "bold 13px sans-serif";
      ctx.textAlign = "left";
      ctx.fillStyle = t.boxA;
      ctx.fillText("A", 1 + st.a[0] * cell + 3, 1 + st.a[1] * cell + 14);
      ctx.fillStyle = t.boxB;
      ctx.fillText("B", 1 + st.b[0] * cell + 3, 1 + st.b[1] * cell + 14);
    }

    var drag = null;
    view.style.touchAction = "none";
    view.addEventListener("pointerdown", function (e) {
      if (!st) return;
      var pt = pointerAt(view, e), gx = (pt.x - 1) / cell, gy = (pt.y - 1) / cell;
      [[B, st.b], [A, st.a]].some(function (job) {
        var bx = job[1];
        var corner = Math.abs(gx - bx[2]) < 0.7 && Math.abs(gy - bx[3]) < 0.7;
        var inside = gx >= bx[0] && gx <= bx[2] && gy >= bx[1] && gy <= bx[3];
        if (corner || inside) {
          drag = {c: job[0], resize: corner, gx: gx, gy: gy, box: bx.slice()};
          return true;
        }
        return false;
      });
      if (drag) view.setPointerCapture(e.pointerId);
    });
    view.addEventListener("pointermove", function (e) {
      if (!drag) return;
      var pt = pointerAt(view, e), gx = (pt.x - 1) / cell, gy = (pt.y - 1) / cell;
      var dx = Math.round(gx - drag.gx), dy = Math.round(gy - drag.gy), bx = drag.box;
      var c = drag.c;
      if (drag.resize) {
        c.w.value = Math.max(1, Math.min(N - bx[0], bx[2] - bx[0] + dx));
        c.h.value = Math.max(1, Math.min(N - bx[1], bx[3] - bx[1] + dy));
      } else {
        var w = bx[2] - bx[0], hh = bx[3] - bx[1];
        c.x.max = N - 1;
        c.x.value = Math.max(0, Math.min(N - w, bx[0] + dx));
        c.y.value = Math.max(0, Math.min(N - hh, bx[1] + dy));
        c.w.max = N - intValue(c.x);
        c.h.max = N - intValue(c.y);
        c.w.value = w;
        c.h.value = hh;
      }
      [c.x, c.y, c.w, c.h].forEach(function (s) { s.readout.textContent = s.value; });
      update();
    });
    view.addEventListener("pointerup", function () { drag = null; });
    [A, B].forEach(function (c) {
      [c.x, c.y, c.w, c.h].forEach(function (s) { s.addEventListener("input", update); });
    });
    return {root: f.root, update: update, draw: draw, init: update};
  }

  // ================================================================== ch. 6: NMS
  // mirrors detection.nms(boxes, scores, iou_threshold); data-result: the kept indices
  function nmsExplorer() {
    var f = frame("nms", "detection.nms", "Non-maximum suppression",
                  "Move the IoU threshold, then step through the greedy pass box by box.");
    var boxes = G.nms.boxes, scores = G.nms.scores, n = boxes.length;
    var thr = slider(f.controls, "iou_threshold", "IoU threshold", 0, 1, 0.05, 0.5);
    var step = slider(f.controls, "step", "greedy step", 0, n, 1, n);
    var view = canvas(f.figure, "candidate boxes: kept solid, suppressed dashed", null);
    var list = h("ul", {class: "live-list", "aria-label": "the boxes by decreasing score"});
    f.figure.appendChild(list);
    var st = null;
    var order = boxes.map(function (b, i) { return i; }).sort(function (i, j) {
      return scores[j] - scores[i] || i - j;  // by decreasing score, ties by index
    });

    function iou(a, b) {
      var iw = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0]));
      var ih = Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
      var inter = iw * ih;
      return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter);
    }

    function run(t, steps) {  // the greedy pass, stopped after `steps` boxes
      var status = new Array(n).fill("waiting"), by = new Array(n).fill(null), keep = [];
      order.forEach(function (i, k) {
        if (k >= steps) return;
        if (status[i] === "suppressed") return;
        status[i] = "kept";
        keep.push(i);
        for (var j = 0; j < n; j++) {
          if (status[j] === "waiting" && iou(boxes[i], boxes[j]) > t) {
            status[j] = "suppressed";
            by[j] = i;
          }
        }
      });
      return {status: status, by: by, keep: keep};
    }

    function update() {
      var t = Number(thr.value), s = intValue(step);
      var done = run(t, n), now = run(t, s);
      st = {t: t, s: s, now: now, current: s > 0 ? order[s - 1] : null};
      thr.readout.textContent = t.toFixed(2);
      step.readout.textContent = s + " / " + n;
      list.textContent = "";
      order.forEach(function (i) {
        var state = now.status[i];
        var why = state === "suppressed" ? " by box " + now.by[i] + " (IoU " +
          iou(boxes[i], boxes[now.by[i]]).toFixed(2) + " > " + t.toFixed(2) + ")" : "";
        list.appendChild(h("li", {class: "live-" + state + (i === st.current ? " live-current" :
                                                               "")},
                           ["box " + i + " · score " + scores[i].toFixed(2) + " · " + state +
                            why]));
      });
      draw();
      f.publish("detection.nms", {boxes: boxes, scores: scores, iou_threshold: t}, done.keep,
                "Threshold " + t.toFixed(2) + ": keeps boxes " + done.keep.join(", ") + " (" +
                done.keep.length + " of " + n + "). Step " + s + " of " + n +
                (st.current === null ? "." : ": box " + st.current + " is " +
                 now.status[st.current] + "."));
    }

    function draw() {
      if (!st) return;
      var t = theme(), cell = 12, N = 24, size = N * cell;
      var ctx = prepare(view, size + 2, size + 2);
      ctx.fillStyle = rgb(paperRGB(t));
      ctx.fillRect(1, 1, size, size);
      outline(ctx, 1, 1, size, size, t.border, 1);
      var palette = t.dark ? ["#6baed6", "#fdae6b", "#74c476", "#fb6a4a", "#bcbddc"] :
        ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd"];
      order.slice().reverse().forEach(function (i) {
        var b = boxes[i], state = st.now.status[i];
        var colour = palette[i % palette.length];
        ctx.globalAlpha = state === "suppressed" ? 0.35 : 1;
        outline(ctx, 1 + b[0] * cell, 1 + b[1] * cell, (b[2] - b[0]) * cell,
                (b[3] - b[1]) * cell, colour, state === "kept" ? 3 : 1.5,
                state === "suppressed" ? [4, 3] : state === "waiting" ? [1, 2] : null);
        ctx.globalAlpha = 1;
      });
      order.forEach(function (i) {
        var b = boxes[i];
        if (st.now.status[i] !== "kept") return;
        ctx.font = "11px sans-serif";
        ctx.textAlign = "left";
        ctx.fillStyle = t.text;
        ctx.fillText(i + ": " + scores[i].toFixed(2), 1 + b[0] * cell + 3, 1 + b[1] * cell + 12);
      });
      if (st.current !== null) {
        var c = boxes[st.current];
        outline(ctx, 1 + c[0] * cell - 3, 1 + c[1] * cell - 3, (c[2] - c[0]) * cell + 6,
                (c[3] - c[1]) * cell + 6, t.text, 1, [2, 2]);
      }
    }

    [thr, step].forEach(function (c) { c.addEventListener("input", update); });
    return {root: f.root, update: update, draw: draw, init: update};
  }

  // ================================================================== ch. 6: transposed conv
  // mirrors scratch.conv_transpose2d(input=[[X]], weight=[[K]], stride, padding)
  function convTransposeExplorer() {
    var f = frame("conv-transpose", "scratch.conv_transpose2d", "Transposed convolution",
                  "Step through the scatter: each input value times the kernel is added " +
                  "into the output, S cells further along.");
    var names = G.transpose.map(function (e) { return e.name; });
    var exampleSel = select(f.controls, "example", "example", names, 0);
    var stride = slider(f.controls, "stride", "stride S", 1, 3, 1, 2);
    var padding = slider(f.controls, "padding", "padding P (cropped)", 0, 2, 1, 0);
    var step = slider(f.controls, "step", "step", 0, 4, 1, 4);
    var xCanvas = canvas(f.figure, "the input X, current value outlined", "input X");
    var kCanvas = canvas(f.figure, "the kernel K", "kernel K");
    var outCanvas = canvas(f.figure, "the full output, cropped border shaded",
                           "full output (crop shaded)");
    var formula = h("p", {class: "live-formula"});
    f.figure.appendChild(formula);
    var st = null, lastExample = -1;

    function update() {
      var e = intValue(exampleSel), ex = G.transpose[e], X = ex.X, K = ex.K;
      var H = X.length, W = X[0].length, kh = K.length, kw = K[0].length;
      if (e !== lastExample) {
        setRange(step, 0, H * W, H * W);
        lastExample = e;
      }
      var S = intValue(stride), P = intValue(padding), s = intValue(step);
      var fh = (H - 1) * S + kh, fw = (W - 1) * S + kw, oh = fh - 2 * P, ow = fw - 2 * P;
      function scatter(count) {
        var full = zeros(fh, fw);
        for (var q = 0; q < count; q++) {
          var i = Math.floor(q / W), j = q % W;
          for (var a = 0; a < kh; a++) {
            for (var b = 0; b < kw; b++) full[i * S + a][j * S + b] += X[i][j] * K[a][b];
          }
        }
        return full;
      }
      var full = scatter(s), fin = scatter(H * W);
      st = {X: X, K: K, S: S, P: P, s: s, full: full, fh: fh, fw: fw, kh: kh, kw: kw, W: W,
            ok: oh >= 1 && ow >= 1};
      step.readout.textContent = s + " / " + H * W;
      var params = {input: [[X]], weight: [[K]], stride: S, padding: P};
      formula.textContent = "H_out = (H − 1)·S − 2P + F = (" + H + " − 1)·" + S + " − 2·" + P +
        " + " + kh + " = " + oh;
      draw();
      if (!st.ok) {
        f.publish("scratch.conv_transpose2d", params, null, formula.textContent +
                  ": the padding crops away the whole output.");
        return;
      }
      var out = fin.slice(P, P + oh).map(function (r) { return r.slice(P, P + ow); });
      var text = s === 0 ? "Step 0: the full output starts at zero." :
        "Step " + s + " of " + H * W + ": X[" + Math.floor((s - 1) / W) + ", " + (s - 1) % W +
        "] = " + fmt(X[Math.floor((s - 1) / W)][(s - 1) % W]) + " times K is added at row " +
        Math.floor((s - 1) / W) * S + ", column " + ((s - 1) % W) * S + ".";
      f.publish("scratch.conv_transpose2d", params, [[out]], text + " " + formula.textContent +
                "; the final output is " + oh + "×" + ow + ".");
    }

    function draw() {
      if (!st) return;
      var t = theme(), cell = 30, X = st.X, K = st.K, cur = st.s - 1;
      var ci = cur >= 0 ? Math.floor(cur / st.W) : -1, cj = cur >= 0 ? cur % st.W : -1;
      var ctx = prepare(xCanvas, X[0].length * cell + 2, X.length * cell + 2);
      drawCells(ctx, 1, 1, X.length, X[0].length, cell, t, function (i, j) {
        return i * st.W + j < st.s ? null : surfaceRGB(t);
      }, function (i, j) { return fmt(X[i][j]); });
      if (cur >= 0) outline(ctx, 1 + cj * cell + 1.5, 1 + ci * cell + 1.5, cell - 3, cell - 3,
                            t.primary, 3);
      var c2 = prepare(kCanvas, K[0].length * cell + 2, K.length * cell + 2);
      drawCells(c2, 1, 1, K.length, K[0].length, cell, t, null,
                function (i, j) { return fmt(K[i][j]); });
      var c3 = prepare(outCanvas, st.fw * cell + 2, st.fh * cell + 2);
      drawCells(c3, 1, 1, st.fh, st.fw, cell, t, function (i, j) {
        var cropped = i < st.P || j < st.P || i >= st.fh - st.P || j >= st.fw - st.P;
        return cropped ? surfaceRGB(t) : null;
      }, function (i, j) { return fmt(st.full[i][j]); });
      if (cur >= 0) {
        outline(c3, 1 + cj * st.S * cell + 1.5, 1 + ci * st.S * cell + 1.5,
                st.kw * cell - 3, st.kh * cell - 3, t.primary, 3);
      }
    }

    exampleSel.addEventListener("change", update);
    [stride, padding, step].forEach(function (c) { c.addEventListener("input", update); });
    return {root: f.root, update: update, draw: draw, init: update};
  }

  // ------------------------------------------------------------------ mounting
  var EXPLORERS = {
    "filter": filterExplorer,
    "sliding-window": slidingWindowExplorer,
    "padding": paddingExplorer,
    "pooling": poolingExplorer,
    "iou": iouExplorer,
    "nms": nmsExplorer,
    "conv-transpose": convTransposeExplorer,
  };

  function mountAll() {
    if (!G) return;
    Object.keys(EXPLORERS).forEach(function (name) {
      document.querySelectorAll(".cell.tag_live-" + name).forEach(function (cell) {
        if (cell.querySelector(":scope > .live-explorer")) return;
        var made = EXPLORERS[name]();
        var output = cell.querySelector(":scope > .cell_output");
        cell.insertBefore(made.root, output);  // null: at the end
        made.root.liveUpdate = made.update;
        made.init();
        instances.push(made);
      });
    });
  }

  // Redraw in the theme's colours when the reader switches light / dark.
  new MutationObserver(function () {
    instances.forEach(function (made) { made.draw(); });
  }).observe(document.documentElement, {attributes: true, attributeFilter: ["data-theme"]});

  var resizeTimer = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(function () {
      instances.forEach(function (made) { made.draw(); });
    }, 100);
  });

  window.LiveExplorers = {
    names: Object.keys(EXPLORERS),
    mountAll: mountAll,
    update: function (root) { root.liveUpdate(); },
  };

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", mountAll);
  } else {
    mountAll();
  }
})();
