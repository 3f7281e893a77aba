/* Special:CreateAccount: live checks through the API, as the person types (progressive
 * enhancement: the form works the same without this file; the server checks everything
 * again on submit). Texts come from data- attributes of the form, so they are in the
 * page's language; answers are inserted with textContent only, never as HTML. */
(function () {
  "use strict";
  var form = document.getElementById("userlogin2");
  if (!form || !window.fetch || !form.dataset.api) { return; }
  var api = form.dataset.api;
  var lang = document.documentElement.lang || "en";

  function note(input) {
    var id = input.id + "-live";
    var el = document.getElementById(id);
    if (!el) {
      el = document.createElement("p");
      el.id = id;
      el.className = "live";
      el.setAttribute("aria-live", "polite");
      input.insertAdjacentElement("afterend", el);
      var described = (input.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
      described.push(id);
      input.setAttribute("aria-describedby", described.join(" "));
    }
    return el;
  }

  function show(input, text, ok) {
    var el = note(input);
    el.textContent = text;
    el.className = "live " + (ok ? "ok" : "bad");
    if (ok) { input.removeAttribute("aria-invalid"); } else if (text) { input.setAttribute("aria-invalid", "true"); }
  }

  function debounce(fn, ms) {
    var timer = null;
    return function () { clearTimeout(timer); timer = setTimeout(fn, ms); };
  }

  var user = document.getElementById("wp-username");
  var pass = document.getElementById("wp-password");
  var seq = 0;

  function checkName() {
    var name = user.value.trim();
    if (!name) { show(user, "", true); return; }
    var mine = ++seq;
    var q = "?action=query&list=users&format=json&formatversion=2&errorformat=plaintext&uselang=" +
      encodeURIComponent(lang) + "&ususers=" + encodeURIComponent(name);
    fetch(api + q, {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (data) {
      if (mine !== seq || !data.query || !data.query.users || !data.query.users[0]) { return; }
      var u = data.query.users[0];
      if (u.invalid) { show(user, "", true); return; }
      if (u.missing) { show(user, form.dataset.nameFree, true); } else { show(user, form.dataset.taken, false); }
      if (pass && pass.value) { checkPassword(); }
    }).catch(function () {});
  }

  var pseq = 0;
  function checkPassword() {
    if (!pass.value) { show(pass, "", true); return; }
    var mine = ++pseq;
    var body = new URLSearchParams();
    body.set("action", "validatepassword");
    body.set("format", "json");
    body.set("formatversion", "2");
    body.set("errorformat", "plaintext");
    body.set("uselang", lang);
    body.set("password", pass.value);
    if (user && user.value.trim()) { body.set("user", user.value.trim()); }
    fetch(api, {method: "POST", body: body, credentials: "same-origin"})
      .then(function (r) { return r.json(); }).then(function (data) {
        if (mine !== pseq || !data.validatepassword) { return; }
        var v = data.validatepassword;
        if (v.validity === "Good") { show(pass, form.dataset.pwOk, true); return; }
        var texts = (v.validitymessages || []).map(function (m) { return m.text || m.code; });
        show(pass, texts.join(" "), false);
      }).catch(function () {});
  }

  if (user) { user.addEventListener("input", debounce(checkName, 400)); }
  if (pass) { pass.addEventListener("input", debounce(checkPassword, 400)); }
})();
