// `node --require` this file to register the test-only third cloud in a provider host or a CLI
// process, using that process's own copy of the built package (dist/).
"use strict";
const { join } = require("node:path");
const dist = join(__dirname, "..", "..", "dist");
const { CLOUDS } = require(join(dist, "clouds", "index.js"));
const errors = require(join(dist, "core", "errors.js"));
const { safeEndpoint } = require(join(dist, "core", "http.js"));
const { z } = require("zod");
CLOUDS.register(require("./third-cloud.cjs")({ z, safeEndpoint, ...errors }));
