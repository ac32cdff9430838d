// Expands Adaptive Card templates with the official adaptivecards-templating engine.
//   node expand.js <template.json> <data.json>   prints the expanded card (use it to preview a card)
//   node expand.js < jobs.json                    jobs: [{ "name", "template", "data" }] (objects);
//                                                 prints [{ "name", "card" } | { "name", "error" }]
'use strict';
const fs = require('fs');
const ACData = require('adaptivecards-templating');

function expand(template, data) {
  return new ACData.Template(template).expand({ $root: data });
}

const args = process.argv.slice(2);
if (args.length === 2) {
  const template = JSON.parse(fs.readFileSync(args[0], 'utf8'));
  const data = JSON.parse(fs.readFileSync(args[1], 'utf8'));
  process.stdout.write(JSON.stringify(expand(template, data), null, 2) + '\n');
} else if (args.length === 0) {
  const jobs = JSON.parse(fs.readFileSync(0, 'utf8'));
  const results = jobs.map((job) => {
    try {
      return { name: job.name, card: expand(job.template, job.data) };
    } catch (e) {
      return { name: job.name, error: String(e && e.message ? e.message : e) };
    }
  });
  process.stdout.write(JSON.stringify(results));
} else {
  process.stderr.write('usage: node expand.js <template.json> <data.json>  |  node expand.js < jobs.json\n');
  process.exit(2);
}
