// Progressive enhancement only: every page works without this file. It
// (a) counts down buttons marked data-countdown="SECONDS" before enabling them,
// (b) wires the show/hide buttons of password fields,
// (c) moves the focus to the error summary so that it is read first.
// All texts come from data attributes, translated by the server.
(function () {
  "use strict";

  // (a) "Gửi lại OTP (45s)": disabled until the cooldown ends. data-wait holds the label
  // with "{s}" where the seconds go; the button's own text is the label when enabled.
  function countdown(button) {
    var seconds = parseInt(button.getAttribute("data-countdown"), 10);
    var wait = button.getAttribute("data-wait");
    var label = button.textContent;
    if (!(seconds > 0) || !wait) {
      return;
    }
    var ends = Date.now() + seconds * 1000;
    function tick() {
      // From the clock, not by counting ticks: timers slow down in background tabs.
      var left = Math.ceil((ends - Date.now()) / 1000);
      if (left <= 0) {
        button.disabled = false;
        button.textContent = label;
        return;
      }
      button.disabled = true;
      button.textContent = wait.replace("{s}", String(left));
      // Next when the shown number changes.
      var rest = (ends - Date.now()) % 1000;
      window.setTimeout(tick, rest > 0 ? rest : 1000);
    }
    tick();
  }

  // (b) The button stays hidden without script; with it, it switches the input's type.
  function passwordToggle(button) {
    var input = document.getElementById(button.getAttribute("aria-controls"));
    if (!input) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      var show = input.type === "password";
      input.type = show ? "text" : "password";
      button.textContent = button.getAttribute(show ? "data-hide" : "data-show");
      button.setAttribute("aria-label", button.getAttribute(show ? "data-hide-label" : "data-show-label"));
    });
    // Never submit a password left visible: the browser would offer to remember it as text.
    if (input.form) {
      input.form.addEventListener("submit", function () {
        input.type = "password";
      });
    }
  }

  // (c) Links in the summary move the focus to the field, not only scroll to it.
  function errorSummary(summary) {
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      var field = link && document.getElementById(link.getAttribute("href").slice(1));
      if (field) {
        event.preventDefault();
        field.scrollIntoView({ block: "center" });
        field.focus();
      }
    });
  }

  function each(selector, action) {
    Array.prototype.forEach.call(document.querySelectorAll(selector), action);
  }

  function start() {
    each("[data-countdown]", countdown);
    each("[data-password-toggle]", passwordToggle);
    var summary = document.querySelector("[data-error-summary]");
    if (summary) {
      errorSummary(summary);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
