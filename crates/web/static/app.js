// Progressive enhancement only: every page works without this file. It
// (a) counts down buttons marked data-countdown="SECONDS" before enabling them,
// (b) wires the show/hide buttons of password fields,
// (c) moves the focus to the error summary so that it is read first,
// (d) keeps a form from being sent twice while the server (and the registries behind it)
//     answers: its buttons are disabled and the pressed one says it is working,
// (e) solves the captcha's proof of work in place of the typed digits.
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
      if (left <= 0 && button.form && button.form.getAttribute("aria-busy") === "true") {
        // The form was sent meanwhile (d): the button stays disabled until the answer.
        return;
      }
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

  // (d) A second press would send the form again (a second OTP, a second registry query).
  // The buttons are disabled only after the browser has read the form: a disabled button's
  // name and value (action=register_phone) would not be sent. data-busy on the form is the
  // pressed button's label while waiting; a [data-busy-status] element inside the form gets
  // its attribute's text, which its role="status" reads out.
  var BUSY_MAX_MS = 40000; // longer than the server's own 30-s limit: by then the answer is lost

  function submitGuard(form) {
    var labels = [];
    var timer = null;
    function buttons() {
      return Array.prototype.slice.call(form.querySelectorAll("button[type='submit'], button:not([type])"));
    }
    function release() {
      window.clearTimeout(timer);
      form.removeAttribute("aria-busy");
      buttons().forEach(function (button, index) {
        button.disabled = false;
        button.removeAttribute("aria-busy");
        if (labels[index] !== undefined) {
          button.textContent = labels[index];
        }
      });
      labels = [];
      Array.prototype.forEach.call(form.querySelectorAll("[data-busy-status]"), function (status) {
        status.textContent = "";
      });
    }
    form.addEventListener("submit", function (event) {
      if (form.getAttribute("aria-busy") === "true") {
        event.preventDefault();
        return;
      }
      form.setAttribute("aria-busy", "true");
      var pressed = event.submitter || null;
      var busyLabel = form.getAttribute("data-busy");
      window.setTimeout(function () {
        // Another handler held this submission back (the captcha still verifying): it will
        // send the form itself later, so the form is not busy yet.
        if (event.defaultPrevented) {
          form.removeAttribute("aria-busy");
          return;
        }
        buttons().forEach(function (button, index) {
          labels[index] = button.textContent;
          button.disabled = true;
          if (button === pressed && busyLabel) {
            button.setAttribute("aria-busy", "true");
            button.textContent = busyLabel;
          }
        });
        var status = form.querySelector("[data-busy-status]");
        if (status) {
          status.textContent = status.getAttribute("data-busy-status");
        }
        timer = window.setTimeout(release, BUSY_MAX_MS);
      }, 0);
    });
    // Back to a page kept in the browser's memory: the form can be used again.
    window.addEventListener("pageshow", function (event) {
      if (event.persisted) {
        release();
      }
    });
  }

  // (e) The captcha is a proof of work in ALTCHA's format: find the number whose SHA-256,
  // after the salt, is the challenge. The typed digits stay for browsers that cannot: the
  // field is hidden and disabled only while the work runs, and comes back if it fails. A
  // submit pressed meanwhile waits for the answer, then goes ahead with the same button.
  var BATCH = 500;

  function captcha(box) {
    var subtle = window.crypto && window.crypto.subtle;
    var input = box.querySelector("input[name='captcha']");
    var field = input && input.closest(".field");
    var status = box.querySelector("[data-captcha-status]");
    var form = input && input.form;
    var challenge = box.getAttribute("data-challenge") || "";
    var salt = box.getAttribute("data-salt") || "";
    var max = Number(box.getAttribute("data-maxnumber"));
    if (!subtle || !window.TextEncoder || !window.Promise || !field || !status || !form ||
        !/^[0-9a-f]{64}$/.test(challenge) || !(max > 0) || !Number.isSafeInteger(max)) {
      return;
    }
    var answer = document.createElement("input");
    answer.type = "hidden";
    answer.name = "captcha";
    var state = "working";
    var waiting = null;

    // The error summary's link to the hidden field leads to the status instead.
    var link = document.querySelector("[data-error-summary] a[href='#" + input.id + "']");
    field.hidden = true;
    input.disabled = true;
    box.appendChild(answer);
    if (link) {
      link.setAttribute("href", "#" + status.id);
    }
    status.hidden = false;
    // Set after showing, so that screen readers announce it.
    window.setTimeout(function () {
      if (state === "working") {
        status.textContent = status.getAttribute("data-verifying");
      }
    }, 0);

    form.addEventListener("submit", function (event) {
      if (state === "working") {
        event.preventDefault();
        waiting = { submitter: event.submitter || null };
        status.focus();
      }
    });

    function typeInstead() {
      state = "failed";
      answer.remove();
      if (link) {
        link.setAttribute("href", "#" + input.id);
      }
      input.disabled = false;
      field.hidden = false;
      status.hidden = true;
      status.textContent = "";
    }

    solve(subtle, salt, challenge, max).then(function (number) {
      if (number === null) {
        typeInstead();
        return;
      }
      answer.value = window.btoa(JSON.stringify({
        algorithm: box.getAttribute("data-algorithm"),
        challenge: challenge,
        number: number,
        salt: salt,
        signature: box.getAttribute("data-signature"),
      }));
      state = "solved";
      status.textContent = status.getAttribute("data-verified");
      if (waiting) {
        submit(form, waiting.submitter);
      }
    }, typeInstead);
  }

  // The number, or null when none up to `max` fits. Each batch's digests run together; the
  // page stays responsive because every digest is awaited.
  function solve(subtle, salt, challenge, max) {
    var encoder = new TextEncoder();
    var target = new Uint8Array(32);
    for (var i = 0; i < 32; i += 1) {
      target[i] = parseInt(challenge.substr(i * 2, 2), 16);
    }
    function matches(buffer) {
      var bytes = new Uint8Array(buffer);
      for (var j = 0; j < 32; j += 1) {
        if (bytes[j] !== target[j]) {
          return false;
        }
      }
      return true;
    }
    function batch(start) {
      var end = Math.min(start + BATCH - 1, max);
      var digests = [];
      for (var n = start; n <= end; n += 1) {
        digests.push(subtle.digest("SHA-256", encoder.encode(salt + n)));
      }
      return Promise.all(digests).then(function (results) {
        for (var k = 0; k < results.length; k += 1) {
          if (matches(results[k])) {
            return start + k;
          }
        }
        return end >= max ? null : batch(end + 1);
      });
    }
    return batch(0);
  }

  // Submits as the pressed button would have, its name and value included.
  function submit(form, submitter) {
    if (form.requestSubmit) {
      form.requestSubmit(submitter || undefined);
      return;
    }
    if (submitter && submitter.name) {
      var pressed = document.createElement("input");
      pressed.type = "hidden";
      pressed.name = submitter.name;
      pressed.value = submitter.value;
      form.appendChild(pressed);
    }
    form.submit();
  }


  // USB ký số: the page asks the person's local signing agent (on 127.0.0.1) to sign the
  // step's challenge. The agent shows its own window for the certificate and the PIN; the page
  // polls the agent for the Web eID token and posts it to the flow. The PIN never passes here.
  function localAgent(box) {
    var agent = box.getAttribute("data-agent-url");
    var status = box.querySelector("[data-agent-status]");
    var startButton = box.querySelector("[data-agent-start]");
    var popupLink = box.querySelector("[data-agent-popup]");
    var missing = box.querySelector("[data-agent-missing]");
    var form = box.querySelector("[data-agent-form]");
    var say = function (key) {
      status.textContent = box.getAttribute("data-text-" + key);
    };
    var json = function (response) {
      if (!response.ok && response.status !== 202) {
        throw new Error("agent answered " + response.status);
      }
      return response.json();
    };

    function check() {
      say("checking");
      missing.hidden = true;
      startButton.hidden = true;
      fetch(agent + "/status").then(json).then(function () {
        say("ready");
        startButton.hidden = false;
      }).catch(function () {
        status.textContent = "";
        missing.hidden = false;
      });
    }

    function poll(requestId, deadline) {
      if (Date.now() > deadline) {
        say("failed");
        startButton.hidden = false;
        return;
      }
      fetch(agent + "/web-eid/result/" + encodeURIComponent(requestId)).then(json).then(function (answer) {
        if (answer.status === "pending") {
          window.setTimeout(function () { poll(requestId, deadline); }, 1000);
        } else if (answer.error) {
          say(answer.error === "pin_locked" ? "locked" : "cancelled");
          startButton.hidden = false;
          popupLink.hidden = true;
        } else {
          form.querySelector("input[name='token']").value = JSON.stringify(answer);
          form.submit();
        }
      }).catch(function () {
        say("failed");
        startButton.hidden = false;
      });
    }

    startButton.addEventListener("click", function () {
      startButton.hidden = true;
      say("waiting");
      fetch(agent + "/web-eid/authenticate", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({
          challengeNonce: box.getAttribute("data-challenge"),
          lang: box.getAttribute("data-lang"),
        }),
      }).then(json).then(function (request) {
        var opened = window.open(request.confirmUrl, "dvcid-agent", "popup,width=520,height=680");
        var link = popupLink.querySelector("a");
        link.href = request.confirmUrl;
        popupLink.hidden = Boolean(opened);
        poll(request.requestId, Date.now() + request.expiresIn * 1000);
      }).catch(function () {
        say("failed");
        startButton.hidden = false;
      });
    });
    box.querySelector("[data-agent-retry]").addEventListener("click", check);
    check();
  }

  // (f) Waiting for a confirmation on the phone (Sim ký số, SmartCA): the page asks again
  // after the step's interval by pressing its own "refresh" button, so it works the same way
  // without script (the person presses it). The submit guard keeps it to one request at once.
  function waitingPoll(form) {
    var seconds = parseInt(form.getAttribute("data-poll-after"), 10);
    var refresh = form.querySelector("button[value='poll']");
    if (!refresh || !(seconds > 0)) {
      return;
    }
    window.setTimeout(function () {
      if (form.getAttribute("aria-busy") !== "true") {
        submit(form, refresh);
      }
    }, seconds * 1000);
  }

  function each(selector, action) {
    Array.prototype.forEach.call(document.querySelectorAll(selector), action);
  }

  function start() {
    each("[data-countdown]", countdown);
    each("[data-password-toggle]", passwordToggle);
    each("form[method='post']", submitGuard);
    each("[data-captcha]", captcha);
    each("[data-local-agent]", localAgent);
    each("form[data-poll-after]", waitingPoll);
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
