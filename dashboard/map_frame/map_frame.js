// The map frame's half of Streamlit's component protocol (version 1), in plain script:
// no framework bundle to fetch and parse before the map can start. Streamlit sends the
// map (a folium script, its CSS, the id of its container) as render arguments; a click
// on a unit sends that unit back as the component's value.
(function () {
  "use strict";
  var shown = null; // version of the map on screen: a resize re-sends the same map

  function send(type, fields) {
    var message = {isStreamlitMessage: true, type: type};
    for (var name in fields) { message[name] = fields[name]; }
    window.parent.postMessage(message, "*");
  }

  // Called by the map's unit layer (dashboard/map_layers.py) on a click.
  window.ictrSelect = function (properties) {
    send("streamlit:setComponentValue", {
      // `at`: clicking the same unit twice is still two clicks.
      value: {kind: properties.kind, code: properties.code, at: Date.now()},
      dataType: "json"
    });
  };

  function draw(args) {
    if (args.version === shown) { return; }
    if (window.map) { window.map.remove(); }
    document.querySelectorAll(".folium-map, style.ictr-map").forEach(function (node) {
      node.remove();
    });
    var style = document.createElement("style");
    style.className = "ictr-map";
    style.textContent = args.css;
    document.head.appendChild(style);
    var container = document.createElement("div");
    container.className = "folium-map";
    container.id = args.map_id;
    document.body.appendChild(container);
    // The script defines the map as a global named after its container's id.
    var script = document.createElement("script");
    script.textContent = args.script + "\nwindow.map = " + args.map_id + ";";
    document.body.appendChild(script);
    shown = args.version;
  }

  window.addEventListener("message", function (event) {
    var data = event.data;
    if (event.source !== window.parent || !data || data.type !== "streamlit:render") {
      return;
    }
    send("streamlit:setFrameHeight", {height: data.args.height});
    draw(data.args);
  });
  send("streamlit:componentReady", {apiVersion: 1});
})();
