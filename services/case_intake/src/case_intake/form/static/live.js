/* Progressive enhancement for the staff queue and the partner board: with JavaScript on,
   the part of the page marked data-live refreshes itself every few seconds when what it
   shows has changed, so two people don't both walk to the same door. Without JavaScript
   the page is the same, and reloading it shows the changes.

   A refresh asks for the page it is on (same filters, same page; data-live-url names it
   when the page answered a form), marked with the
   Civic-Refresh header so the server does not count it as activity: an open tab must
   not keep a session alive past its idle limit. Nothing is replaced while focus is inside
   the region, so a refresh never moves someone's place on the page. */
(function () {
  "use strict";
  var region = document.querySelector("[data-live]");
  if (!region || !window.fetch || !window.DOMParser) { return; }
  var status = document.getElementById("live-status");
  var seconds = Math.max(1, Number(region.getAttribute("data-live")) || 5);
  // the page's own address, unless it was the answer to a form (a refused claim)
  var address = region.getAttribute("data-live-url") || window.location.href;
  var busy = false;

  function say(text) { if (status) { status.textContent = text; } }

  function refresh() {
    if (busy || document.hidden || region.contains(document.activeElement)) { return; }
    busy = true;
    fetch(address, { headers: { "Civic-Refresh": "1" },
                                  credentials: "same-origin", cache: "no-store" })
      .then(function (answer) {
        if (answer.redirected || answer.status !== 200) {
          throw new Error("signed out or unavailable");
        }
        return answer.text();
      })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html")
          .querySelector("[data-live]");
        if (fresh && fresh.innerHTML !== region.innerHTML) {
          region.innerHTML = fresh.innerHTML;
          say("Updated at " + new Date().toLocaleTimeString("en-GB"));
        }
      })
      .catch(function () { say("Not updating: reload the page to carry on."); })
      .then(function () { busy = false; });
  }

  region.setAttribute("data-live-ready", "yes");
  window.setInterval(refresh, seconds * 1000);
}());
