/* The catalogue's maps (Leaflet): every located result of a search, and one location.
 *
 * No inline script (the Content-Security-Policy allows our static files only): each map
 * is a hidden element whose data attributes say what to draw; shown once the map is
 * drawn, so without JavaScript (or without markers) the page is the list alone. Markers
 * and clusters are not in the tab order: the list is the keyboard's way to every location.
 * Nearby markers of the search map are grouped (Leaflet.markercluster): hundreds of
 * locations on the base domain stay readable; a click on a group zooms in on it.
 */
(function () {
  "use strict";
  if (typeof window.L === "undefined") {
    return;
  }
  var L = window.L;
  var canCluster = typeof L.markerClusterGroup === "function";
  if (canCluster) {
    // A cluster is a marker too, and like the markers it is no tab stop.
    L.MarkerCluster.mergeOptions({ keyboard: false });
  }

  function tileLayer(element) {
    var data = element.dataset;
    var credit = document.createElement(data.attributionUrl ? "a" : "span");
    credit.textContent = data.attribution || "";
    if (data.attributionUrl) {
      credit.href = data.attributionUrl;
    }
    return L.tileLayer(data.tileUrl, {
      maxZoom: 19,
      attribution: credit.outerHTML,
      // Tile servers such as OpenStreetMap's want to know which site asks; our pages'
      // own policy (same-origin) would send nothing.
      referrerPolicy: "strict-origin-when-cross-origin",
    });
  }

  // Leaflet guesses its icon's address from its CSS, which hashed static names defeat.
  function markerIcon(element) {
    var data = element.dataset;
    return L.icon({
      iconUrl: data.markerIcon,
      iconRetinaUrl: data.markerIcon2x,
      shadowUrl: data.markerShadow,
      iconSize: [25, 41],
      iconAnchor: [12, 41],
      popupAnchor: [1, -34],
      shadowSize: [41, 41],
    });
  }

  // Leaflet's own controls speak English: their names come translated from the page.
  function newMap(element) {
    var data = element.dataset;
    var map = L.map(element, { scrollWheelZoom: false, zoomControl: false });
    L.control
      .zoom({ zoomInTitle: data.zoomInLabel, zoomOutTitle: data.zoomOutLabel })
      .addTo(map);
    map.on("popupopen", function (event) {
      var close = event.popup.getElement().querySelector(".leaflet-popup-close-button");
      if (close) {
        close.setAttribute("aria-label", data.closeLabel);
        close.title = data.closeLabel;
      }
    });
    tileLayer(element).addTo(map);
    return map;
  }

  function marker(point, name, icon) {
    return L.marker(point, { icon: icon, title: name, alt: name, keyboard: false });
  }

  // A group's icon says in words how many locations it holds (the page's language), as a
  // marker's says its name: "12 locations here: zoom in to see them".
  var ClusterIcon = L.DivIcon.extend({
    createIcon: function (oldIcon) {
      var icon = L.DivIcon.prototype.createIcon.call(this, oldIcon);
      icon.setAttribute("role", "img");
      icon.setAttribute("aria-label", this.options.label);
      icon.title = this.options.label;
      return icon;
    },
  });

  function clusterIcon(element) {
    var label = element.dataset.clusterLabel;
    return function (cluster) {
      var count = cluster.getChildCount();
      var size = count < 10 ? "small" : count < 100 ? "medium" : "large";
      return new ClusterIcon({
        html: "<div><span>" + count + "</span></div>", // a number only: no markup of ours
        className: "marker-cluster marker-cluster-" + size,
        iconSize: L.point(40, 40),
        label: label.replace("%(count)s", String(count)),
      });
    };
  }

  function markerLayer(element) {
    if (!canCluster) {
      return L.featureGroup(); // without the plugin: every marker on its own
    }
    return L.markerClusterGroup({
      iconCreateFunction: clusterIcon(element),
      maxClusterRadius: 60,
      showCoverageOnHover: false,
    });
  }

  function popupContent(location) {
    var box = document.createElement("div");
    var heading = document.createElement("p");
    heading.className = "map-popup-name";
    var link = document.createElement("a");
    link.href = location.url;
    link.textContent = location.name;
    heading.appendChild(link);
    var address = document.createElement("p");
    address.textContent = location.address;
    box.appendChild(heading);
    box.appendChild(address);
    return box;
  }

  function resultsMap(block) {
    var element = block.querySelector(".catalogue-map");
    fetch(element.dataset.markersUrl, {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("markers: HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (answer) {
        if (!answer.markers.length) {
          return; // nothing to draw: the list alone
        }
        block.hidden = false; // before the map, so that Leaflet can measure it
        var map = newMap(element);
        var icon = markerIcon(element);
        var layer = markerLayer(element);
        var points = answer.markers.map(function (location) {
          var point = [location.latitude, location.longitude];
          layer.addLayer(marker(point, location.name, icon).bindPopup(popupContent(location)));
          return point;
        });
        map.fitBounds(points, { padding: [24, 24], maxZoom: 15 });
        layer.addTo(map);
        element.dataset.markerCount = String(points.length);
      })
      .catch(function () {
        block.hidden = true;
      });
  }

  function locationMap(block) {
    var element = block.querySelector(".catalogue-map");
    var point = [Number(element.dataset.latitude), Number(element.dataset.longitude)];
    block.hidden = false;
    var map = newMap(element);
    map.setView(point, 15);
    marker(point, element.dataset.name, markerIcon(element)).addTo(map);
  }

  document.querySelectorAll("[data-map=results]").forEach(resultsMap);
  document.querySelectorAll("[data-map=location]").forEach(locationMap);
})();
