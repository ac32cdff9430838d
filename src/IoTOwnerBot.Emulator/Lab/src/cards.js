// Renders Adaptive Cards with Microsoft's official renderer (the `adaptivecards` npm package) and the host configs
// Outlook desktop and Teams (light) use, so a card looks and behaves here as it does in those clients.
import * as AC from "adaptivecards";
import MarkdownIt from "markdown-it";

import outlookHostConfig from "../hostconfigs/hostconfig-outlook-desktop.json";
import teamsHostConfig from "../hostconfigs/hostconfig-microsoft-teams-light.json";

// Outlook and Teams render Markdown in TextBlocks; raw HTML in card text is never rendered.
const markdown = new MarkdownIt({ html: false, linkify: false, breaks: false });
AC.AdaptiveCard.onProcessMarkdown = (text, result) => {
  result.outputHtml = markdown.render(text);
  result.didProcess = true;
};

function actionsFor(host) {
  const registry = new AC.CardObjectRegistry();
  AC.GlobalRegistry.populateWithDefaultActions(registry);
  if (host === "outlook") {
    // Actionable messages: Outlook knows Action.Http (the renderer has it, unregistered by default) and
    // has no Action.Execute.
    registry.register(AC.HttpAction.JsonTypeName, AC.HttpAction, AC.Versions.v1_0);
    registry.unregister(AC.ExecuteAction.JsonTypeName);
  }
  return registry;
}

const hosts = {
  outlook: { config: new AC.HostConfig(outlookHostConfig), actions: actionsFor("outlook") },
  teams: { config: new AC.HostConfig(teamsHostConfig), actions: actionsFor("teams") },
};

/** What a button asks for, in the terms the emulator's click APIs use. */
function describe(action, card) {
  if (action instanceof AC.HttpAction) {
    // What the user entered on the card: Outlook puts it into {{id.value}} references (the emulator does the same).
    const inputs = Object.fromEntries(card.getAllInputs().map((input) => [input.id, input.value ?? ""]));
    return { kind: "http", title: action.title, method: action.method, url: action.url?.getOriginal?.() ?? String(action.url), inputs };
  }
  if (action instanceof AC.ExecuteAction) {
    return { kind: "execute", title: action.title, verb: action.verb, data: action.data ?? {} };
  }
  if (action instanceof AC.SubmitAction) return { kind: "submit", title: action.title, data: action.data ?? {} };
  if (action instanceof AC.OpenUrlAction) return { kind: "openUrl", title: action.title, url: action.url };
  return { kind: "other", title: action.title, type: action.getJsonTypeName() };
}

/**
 * Renders <paramref name="json"/> as <paramref name="host"/> ("outlook" or "teams") would and calls
 * onAction(description) when a button is clicked. Returns { element, warnings }.
 */
export function renderCard(json, host, onAction) {
  const { config, actions } = hosts[host];
  const card = new AC.AdaptiveCard();
  card.hostConfig = config;
  const context = new AC.SerializationContext();
  context.setActionRegistry(actions);
  card.parse(json, context);
  card.onExecuteAction = (action) => {
    const described = describe(action, card);
    if (described.kind === "openUrl") {
      window.open(described.url, "_blank", "noopener");
      return;
    }
    onAction(described);
  };
  const warnings = [];
  for (let i = 0; i < context.eventCount; i++) warnings.push(context.getEventAt(i).message);
  const element = card.render() ?? document.createTextNode("The renderer produced nothing for this card.");
  return { element, warnings };
}
