// Expands an Adaptive Card template with the official adaptivecards-templating engine.
// Usage: node expand.js <template.json> <data.json>   (prints the expanded card as JSON)
'use strict';
const fs = require('fs');
const ACData = require('adaptivecards-templating');

const [templatePath, dataPath] = process.argv.slice(2);
if (!templatePath || !dataPath) {
  process.stderr.write('usage: node expand.js <template.json> <data.json>\n');
  process.exit(2);
}
const template = new ACData.Template(JSON.parse(fs.readFileSync(templatePath, 'utf8')));
const data = JSON.parse(fs.readFileSync(dataPath, 'utf8'));
const card = template.expand({ $root: data });
process.stdout.write(JSON.stringify(card));
