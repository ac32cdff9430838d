// Expands Adaptive Card templates with the official adaptivecards-templating engine.
//   node expand.js <template.json> <data.json>   prints the expanded card (use it to preview a card)
//   node expand.js < jobs.json                    jobs: [{ "name", "template", "data" }] (objects);
//                                                 prints [{ "name", "card" } | { "name", "error" }]
//   A job may carry "host" ($host) and "language": true, which adds "language": the expansion with the
//   language's own missing-path semantics (null), without the engine's "${path}" substitution.
'use strict';
const fs = require('fs');
const ACData = require('adaptivecards-templating');

function expand(template, data, host) {
  return new ACData.Template(template).expand({ $root: data, $host: host });
}

const substituting = ACData.Template.internalTryEvaluateExpression;
function expandWithoutSubstitution(template, data, host) {
  ACData.Template.internalTryEvaluateExpression = (expression, context) => substituting(expression, context, false);
  try {
    return expand(template, data, host);
  } finally {
    ACData.Template.internalTryEvaluateExpression = substituting;
  }
}

function attempt(f) {
  try {
    return { card: f() };
  } catch (e) {
    return { error: String(e && e.message ? e.message : e) };
  }
}

const args = process.argv.slice(2);
if (args.length === 2) {
  const template = JSON.parse(fs.readFileSync(args[0], 'utf8'));
  const data = JSON.parse(fs.readFileSync(args[1], 'utf8'));
  process.stdout.write(JSON.stringify(expand(template, data), null, 2) + '\n');
} else if (args.length === 0) {
  const jobs = JSON.parse(fs.readFileSync(0, 'utf8'));
  const results = jobs.map((job) => {
    const result = { name: job.name, ...attempt(() => expand(job.template, job.data, job.host)) };
    if (job.language) {
      result.language = attempt(() => expandWithoutSubstitution(job.template, job.data, job.host));
    }
    return result;
  });
  process.stdout.write(JSON.stringify(results));
} else {
  process.stderr.write('usage: node expand.js <template.json> <data.json>  |  node expand.js < jobs.json\n');
  process.exit(2);
}
