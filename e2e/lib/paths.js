'use strict';
const path = require('node:path');

/** Where screenshots, axe reports and the demo's logs go (gitignored). */
const RESULTS = path.resolve(__dirname, '../test-results');

module.exports = { RESULTS };
