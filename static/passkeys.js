// Passkeys: the one script of the site. A form marked `data-passkey`
// stays hidden unless this browser can use passkeys. Sending it asks the
// server for a challenge (or takes the one the page carries), lets the
// browser's authenticator answer it, and sends the form with the answer
// in its `credential` field; the server checks it and answers with a page,
// as for any other form.
(function () {
  "use strict";
  if (!window.PublicKeyCredential || !navigator.credentials) {
    return;
  }

  function fromBase64url(s) {
    var b64 = s.replace(/-/g, "+").replace(/_/g, "/");
    var bin = atob(b64 + "===".slice((b64.length + 3) % 4));
    var out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) {
      out[i] = bin.charCodeAt(i);
    }
    return out.buffer;
  }

  function toBase64url(buf) {
    var bytes = new Uint8Array(buf);
    var bin = "";
    for (var i = 0; i < bytes.length; i++) {
      bin += String.fromCharCode(bytes[i]);
    }
    return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function withIds(list) {
    return (list || []).map(function (c) {
      return Object.assign({}, c, { id: fromBase64url(c.id) });
    });
  }

  // The server's options, with the binary fields browsers want as buffers.
  function creationOptions(pk) {
    var o = Object.assign({}, pk);
    o.challenge = fromBase64url(pk.challenge);
    o.user = Object.assign({}, pk.user, { id: fromBase64url(pk.user.id) });
    o.excludeCredentials = withIds(pk.excludeCredentials);
    return { publicKey: o };
  }

  function requestOptions(pk) {
    var o = Object.assign({}, pk);
    o.challenge = fromBase64url(pk.challenge);
    o.allowCredentials = withIds(pk.allowCredentials);
    return { publicKey: o };
  }

  // The browser's answer as JSON, binary fields in base64url.
  function answer(cred) {
    var r = cred.response;
    var response = { clientDataJSON: toBase64url(r.clientDataJSON) };
    if (r.attestationObject) {
      response.attestationObject = toBase64url(r.attestationObject);
      if (r.getTransports) {
        response.transports = r.getTransports();
      }
    } else {
      response.authenticatorData = toBase64url(r.authenticatorData);
      response.signature = toBase64url(r.signature);
      response.userHandle = r.userHandle ? toBase64url(r.userHandle) : null;
    }
    return JSON.stringify({
      id: cred.id,
      rawId: toBase64url(cred.rawId),
      type: cred.type,
      response: response,
      extensions: cred.getClientExtensionResults ? cred.getClientExtensionResults() : {}
    });
  }

  // A challenge from `url`, asked with the form's CSRF token (and `next`).
  function fetchChallenge(url, form) {
    var body = new URLSearchParams();
    ["csrf", "next"].forEach(function (name) {
      var field = form.elements.namedItem(name);
      if (field) {
        body.append(name, field.value);
      }
    });
    return fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { Accept: "application/json" }
    }).then(function (resp) {
      if (!resp.ok) {
        throw new Error("the server did not start the passkey ceremony (" + resp.status + ")");
      }
      return resp.json();
    });
  }

  function say(form, text) {
    var box = form.querySelector("[data-passkey-error]");
    if (box) {
      box.textContent = text;
      box.hidden = false;
    }
  }

  function run(form) {
    var kind = form.getAttribute("data-passkey");
    var challenge = form.hasAttribute("data-options")
      ? Promise.resolve({
          ceremony: form.elements.namedItem("ceremony").value,
          publicKey: JSON.parse(form.getAttribute("data-options"))
        })
      : fetchChallenge(form.getAttribute("data-challenge"), form);
    return challenge
      .then(function (c) {
        form.elements.namedItem("ceremony").value = c.ceremony;
        return kind === "create"
          ? navigator.credentials.create(creationOptions(c.publicKey))
          : navigator.credentials.get(requestOptions(c.publicKey));
      })
      .then(function (cred) {
        if (!cred) {
          throw new Error("no passkey was chosen");
        }
        form.elements.namedItem("credential").value = answer(cred);
        form.submit();
      });
  }

  document.querySelectorAll("[data-passkey]").forEach(function (form) {
    form.hidden = false;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (!form.reportValidity()) {
        return;
      }
      var button = form.querySelector("button");
      if (button) {
        button.disabled = true;
      }
      run(form).catch(function (err) {
        say(form, "No passkey was used: " + (err && err.message ? err.message : err) + ". Try again.");
        if (button) {
          button.disabled = false;
        }
      });
    });
  });
  document.querySelectorAll("[data-passkey-fallback]").forEach(function (el) {
    el.hidden = true;
  });
})();
