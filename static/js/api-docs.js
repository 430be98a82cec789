/* Starts Swagger UI on /api/docs/ from the settings the page carries as JSON (#swagger-config),
   so no inline script is needed under the Content-Security-Policy. */
"use strict";

(function () {
  const config = JSON.parse(document.getElementById("swagger-config").textContent);

  // A browser session posting through "Try it out" needs Django's CSRF header.
  const requestInterceptor = (request) => {
    if (!["GET", "HEAD", undefined].includes(request.method)) {
      request.headers[config.csrfHeaderName] = config.csrfToken;
    }
    return request;
  };

  window.ui = SwaggerUIBundle({
    url: config.schemaUrl,
    dom_id: "#swagger-ui",
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    requestInterceptor,
    ...config.settings,
  });
})();
