// Zapier's CommonJS wrapper requires this file and ignores "main", so the bundled app in dist/
// is re-exported from here (scripts/bundle.mts writes dist/index.js).
module.exports = require('./dist/index.js').default;
