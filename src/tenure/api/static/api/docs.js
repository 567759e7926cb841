// Starts Swagger UI from the settings the page carries (no inline script, no CDN).
(function () {
  "use strict";
  var element = document.getElementById("swagger-settings");
  var settings = JSON.parse(element.textContent);
  settings.dom_id = "#swagger-ui";
  settings.presets = [SwaggerUIBundle.presets.apis];
  var csrfToken = document.body.getAttribute("data-csrf-token");
  // Session requests that change data need Django's CSRF token; tokens (Bearer) do not.
  settings.requestInterceptor = function (request) {
    if (csrfToken && request.method && !/^(GET|HEAD|OPTIONS)$/i.test(request.method)) {
      request.headers["X-CSRFToken"] = csrfToken;
    }
    return request;
  };
  window.ui = SwaggerUIBundle(settings);
})();
