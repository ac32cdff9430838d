using System.Text.Json.Nodes;

namespace IoTOwnerBot.Chaos;

/// <summary>Everything the audit looks at for one incident, read after the drain: the cloud's truth and the service's.</summary>
public sealed record IncidentObservation(
    IncidentPlan Plan,
    /// <summary>The incident in the emulated Sentinel (<c>properties</c>).</summary>
    JsonObject Incident,
    /// <summary>Its comments: id (upper case) and text.</summary>
    IReadOnlyList<(string Id, string Message)> Comments,
    /// <summary>The incident's questions, from the service's SOC API (<c>GET /api/questions?incidentId=</c>).</summary>
    IReadOnlyList<JsonObject> Questions,
    /// <summary>Comment ids of the timeline events the service mirrored to the incident (its database).</summary>
    IReadOnlySet<string> CommentIds,
    /// <summary>E-mails carrying the incident's marker, per owner address.</summary>
    IReadOnlyDictionary<string, int> Mails,
    /// <summary>Teams cards carrying the incident's marker in the owner's chat with the bot, per owner address.</summary>
    IReadOnlyDictionary<string, int> TeamsCards,
    /// <summary>Threads of the SOC channel whose root card names the incident: root card and reply texts.</summary>
    IReadOnlyList<(JsonObject? RootCard, IReadOnlyList<string> Replies)> SocThreads,
    /// <summary>Owner addresses whose delivery work finished, unsent, after the question was decided (its database).</summary>
    IReadOnlySet<string> DecidedBeforeDelivery);

/// <summary>Lost, duplicated and wrong side effects of one kind, with what was found.</summary>
public sealed class AuditLine(string kind)
{
    public string Kind { get; } = kind;
    public int Lost { get; set; }
    public int Duplicated { get; set; }
    public int Wrong { get; set; }
    public List<string> Findings { get; } = [];
    public bool Clean => Lost == 0 && Duplicated == 0 && Wrong == 0;
}

/// <summary>
/// The product's promises (README: "What it does today") as rules on what the run left behind. Per incident:
/// <list type="bullet">
/// <item><b>question</b>: a Defender for IoT incident is one question, however often it arrives (intake and poller are
/// idempotent); one without owners is a "no owner" question; any other incident is ignored.</item>
/// <item><b>answer</b>: a click the service accepted is recorded (the first answer wins); a recorded answer is one an
/// owner gave.</item>
/// <item><b>e-mail</b>: each owner with a mailbox gets one e-mail (never the same question twice); <b>Teams card</b>:
/// each owner without one gets one card in their chat with the bot, owners with a mailbox none (the Teams fallback
/// comes after <c>Delivery:TeamsAfter</c>, 30 minutes). An owner whose delivery came due only after another owner
/// answered (or the question closed) is not asked any more: none then, and no "sent" comment.</item>
/// <item><b>incident comment</b>: one comment per mirrored event: whom the bot asks (or that nobody can be asked),
/// each e-mail and Teams message sent, an owner without mailbox, and the decision; <b>incident comment id</b>: every
/// comment is under the id the service fixed for its event, and every such id is on the incident.</item>
/// <item><b>incident update</b>: "expected" closes the incident (BenignPositive / SuspiciousButExpected, the expected
/// label); "not expected" keeps it open (New → Active), raises the severity one level, adds its label — once; no
/// answer, no owner: the incident is left as it was (never closed on silence).</item>
/// <item><b>SOC thread root</b>: one thread per incident with a question; <b>SOC root update</b>: its root card
/// offers Cancel while the question is open and not once it is decided; <b>SOC reply</b>: one reply per timeline event.</item>
/// </list>
/// Any work item that ended failed is a finding of its own.
/// </summary>
public static class ChaosAudit
{
    public const string ExpectedLabel = "IoT owner: expected";
    public const string NotExpectedLabel = "IoT owner: not expected";
    private const string CancelVerb = "iotownerbot.soc.cancel";
    private static readonly string[] Severities = ["Informational", "Low", "Medium", "High"];

    public static readonly string[] Kinds =
    [
        "question", "answer", "e-mail", "Teams card", "incident comment", "incident comment id", "incident update",
        "SOC thread root", "SOC root update", "SOC reply",
    ];

    public static List<AuditLine> Audit(IEnumerable<IncidentObservation> incidents)
    {
        var lines = Kinds.ToDictionary(k => k, k => new AuditLine(k));
        foreach (var o in incidents)
        {
            var question = o.Questions.Count > 0 ? o.Questions[^1] : null;
            Question(o, lines["question"]);
            Answer(o, question, lines["answer"]);
            Deliveries(o, question, lines["e-mail"], lines["Teams card"]);
            Comments(o, question, lines["incident comment"]);
            CommentIds(o, lines["incident comment id"]);
            Update(o, question, lines["incident update"]);
            Soc(o, question, lines["SOC thread root"], lines["SOC root update"], lines["SOC reply"]);
        }
        return [.. lines.Values];
    }

    private static bool Asks(IncidentObservation o) => o.Plan.Sample.IsIoT && o.Plan.Sample.Owners.Count > 0;

    private static void Count(AuditLine line, IncidentObservation o, string what, int expected, int actual)
    {
        if (actual < expected) line.Lost += expected - actual;
        if (actual > expected) line.Duplicated += actual - expected;
        if (actual != expected) line.Findings.Add($"{o.Plan.Marker} incident {o.Plan.Name} ({o.Plan.Sample.Name}): {what}: {actual}, expected {expected}");
    }

    private static void Wrong(AuditLine line, IncidentObservation o, string what)
    {
        line.Wrong++;
        line.Findings.Add($"{o.Plan.Marker} incident {o.Plan.Name} ({o.Plan.Sample.Name}): {what}");
    }

    private static void Question(IncidentObservation o, AuditLine line)
    {
        Count(line, o, "questions", o.Plan.Sample.IsIoT ? 1 : 0, o.Questions.Count);
        if (o.Plan.Sample.IsIoT && o.Plan.Sample.Owners.Count == 0 && o.Questions.Count > 0 && (string?)o.Questions[^1]["state"] != "NoOwner")
            Wrong(line, o, $"no owner, but the question is {(string?)o.Questions[^1]["state"]}");
    }

    private static void Answer(IncidentObservation o, JsonObject? question, AuditLine line)
    {
        var accepted = o.Plan.Clicks.Where(c => c.Outcome == ClickOutcome.Accepted).ToList();
        var given = o.Plan.Clicks.Where(c => c.Outcome == ClickOutcome.Accepted || c.MayHaveLanded).ToList();
        var answered = (string?)question?["state"] == "Answered";
        if (accepted.Count > 0 && !answered)
            Count(line, o, $"answers recorded after {accepted.Count} accepted click(s) (state {(string?)question?["state"]})", 1, 0);
        if (!answered) return;
        var answer = (string?)question!["answer"] == "Expected";
        if (!given.Any(c => c.Expected == answer))
            Wrong(line, o, $"answered {(string?)question["answer"]} by {(string?)question["answeredBy"]}, which no owner clicked");
    }

    private static void Deliveries(IncidentObservation o, JsonObject? question, AuditLine mail, AuditLine teams)
    {
        foreach (var owner in o.Plan.Sample.Owners)
        {
            var asks = Asks(o);
            Count(mail, o, $"e-mails to {owner.Address}", asks && owner.HasMailbox ? Delivered(o, owner, o.Mails) : 0, o.Mails.GetValueOrDefault(owner.Address));
            Count(teams, o, $"Teams cards to {owner.Address}", asks && !owner.HasMailbox ? Delivered(o, owner, o.TeamsCards) : 0, o.TeamsCards.GetValueOrDefault(owner.Address));
        }
        _ = question;
    }

    /// <summary>The deliveries an asked owner should have: one, or none when the question was decided before it was due.</summary>
    private static int Delivered(IncidentObservation o, Owner owner, IReadOnlyDictionary<string, int> seen) =>
        seen.GetValueOrDefault(owner.Address) == 0 && o.DecidedBeforeDelivery.Contains(owner.Address) ? 0 : 1;

    private static void Comments(IncidentObservation o, JsonObject? question, AuditLine line)
    {
        int Matching(Func<string, bool> match) => o.Comments.Count(c => match(c.Message));
        if (!o.Plan.Sample.IsIoT)
        {
            Count(line, o, "comments on an ignored incident", 0, o.Comments.Count);
            return;
        }
        Count(line, o, "comments naming whom the bot asks (or nobody)", 1,
            Matching(m => m.StartsWith("IoTOwnerBot will ask", StringComparison.Ordinal) || m.StartsWith("IoTOwnerBot found no owner", StringComparison.Ordinal)));
        foreach (var owner in o.Plan.Sample.Owners)
        {
            bool Names(string m) => m.Contains(owner.Address, StringComparison.OrdinalIgnoreCase);
            if (owner.HasMailbox)
                Count(line, o, $"comments 'Question e-mailed to {owner.Address}'", Delivered(o, owner, o.Mails), Matching(m => m.StartsWith("Question e-mailed to ", StringComparison.Ordinal) && Names(m)));
            else
            {
                Count(line, o, $"comments 'Question sent to {owner.Address} in a Teams chat'", Delivered(o, owner, o.TeamsCards),
                    Matching(m => m.StartsWith("Question sent to ", StringComparison.Ordinal) && m.Contains(" in a Teams chat", StringComparison.Ordinal) && Names(m)));
                Count(line, o, $"comments '{owner.Address} has no mailbox'", 1, Matching(m => m.Contains("has no mailbox", StringComparison.Ordinal) && Names(m)));
            }
        }
        Count(line, o, "comments on the decision ('Device owner … answered')", (string?)question?["state"] == "Answered" ? 1 : 0,
            Matching(m => m.StartsWith("Device owner ", StringComparison.Ordinal)));
    }

    private static void CommentIds(IncidentObservation o, AuditLine line)
    {
        var onIncident = o.Comments.Select(c => c.Id).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var missing = o.CommentIds.Count(id => !onIncident.Contains(id));
        var unknown = onIncident.Count(id => !o.CommentIds.Contains(id));
        if (missing > 0) Count(line, o, "mirrored events whose comment id is on the incident", o.CommentIds.Count, o.CommentIds.Count - missing);
        if (unknown > 0) Count(line, o, "comments under an id the service never fixed", 0, unknown);
    }

    private static void Update(IncidentObservation o, JsonObject? question, AuditLine line)
    {
        var p = o.Incident;
        var labels = p["labels"]?.AsArray().Select(l => (string?)l?["labelName"]).ToList() ?? [];
        var status = (string?)p["status"];
        var severity = (string?)p["severity"];
        var expectedLabels = labels.Count(l => l == ExpectedLabel);
        var notExpectedLabels = labels.Count(l => l == NotExpectedLabel);
        var answered = (string?)question?["state"] == "Answered";
        var answer = (string?)question?["answer"];
        if (answered && answer == "Expected")
        {
            Count(line, o, $"'{ExpectedLabel}' labels", 1, expectedLabels);
            if (status != "Closed" || (string?)p["classification"] != "BenignPositive" || (string?)p["classificationReason"] != "SuspiciousButExpected")
                Wrong(line, o, $"answered expected, but status {status}, classification {(string?)p["classification"]}/{(string?)p["classificationReason"]}");
            if (notExpectedLabels > 0 || severity != o.Plan.InitialSeverity) Wrong(line, o, $"answered expected, but labels [{string.Join(", ", labels)}], severity {severity}");
        }
        else if (answered && answer == "NotExpected")
        {
            Count(line, o, $"'{NotExpectedLabel}' labels", 1, notExpectedLabels);
            var raised = Raise(o.Plan.InitialSeverity);
            var steps = Array.IndexOf(Severities, severity) - Array.IndexOf(Severities, o.Plan.InitialSeverity);
            if (steps > 1 || (steps == 1 && raised == o.Plan.InitialSeverity)) Count(line, o, "severity raises", 1, steps);
            else if (severity != raised) Wrong(line, o, $"answered not expected, severity {severity} (was {o.Plan.InitialSeverity}, expected {raised})");
            if (status != "Active") Wrong(line, o, $"answered not expected, but status {status} (expected Active)");
            if (expectedLabels > 0) Wrong(line, o, $"answered not expected, but labels [{string.Join(", ", labels)}]");
        }
        else if (status != "New" || severity != o.Plan.InitialSeverity || expectedLabels + notExpectedLabels > 0)
        {
            Wrong(line, o, $"no answer ({(string?)question?["state"] ?? "no question"}), but status {status}, severity {severity} (was {o.Plan.InitialSeverity}), labels [{string.Join(", ", labels)}]");
        }
    }

    private static string Raise(string severity) =>
        Array.IndexOf(Severities, severity) is var i and >= 0 ? Severities[Math.Min(i + 1, Severities.Length - 1)] : severity;

    private static void Soc(IncidentObservation o, JsonObject? question, AuditLine roots, AuditLine rootUpdates, AuditLine replies)
    {
        Count(roots, o, "SOC threads", o.Plan.Sample.IsIoT ? 1 : 0, o.SocThreads.Count);
        if (o.SocThreads.Count == 0 || question is null) return;
        var thread = o.SocThreads[0];

        var open = (string?)question["state"] == "Open";
        var offersCancel = thread.RootCard?.ToJsonString().Contains(CancelVerb, StringComparison.Ordinal) ?? false;
        if (offersCancel != open)
            Count(rootUpdates, o, $"root cards showing the question {(string?)question["state"]} (root {(offersCancel ? "offers" : "does not offer")} Cancel)", 1, 0);

        var expected = o.Questions.SelectMany(q => q["timeline"]!.AsArray().OfType<JsonObject>().Select(t => ReplyText(q, t))).ToList();
        var actual = o.SocThreads.SelectMany(t => t.Replies).Select(WithoutReference).ToList();
        foreach (var text in expected.Concat(actual).Distinct(StringComparer.Ordinal))
            Count(replies, o, $"replies \"{Short(text)}\"", expected.Count(e => e == text), actual.Count(a => a == text));
    }

    /// <summary>A timeline event's reply text, as the SOC thread writes it (the actor when it is not the bot, the round after the first).</summary>
    private static string ReplyText(JsonObject question, JsonObject ev)
    {
        var actor = (string?)ev["actor"];
        var text = actor == "IoTOwnerBot" ? (string)ev["message"]! : $"{(string?)ev["message"]} ({actor})";
        var round = (int?)question["round"] ?? 1;
        return round > 1 ? $"Round {round}: {text}" : text;
    }

    /// <summary>A reply ends with its reference, <c>(ref 1a2b3c4d5e6f)</c>, the same on every attempt: the event's text is before it.</summary>
    private static string WithoutReference(string reply) =>
        reply.LastIndexOf(" (ref ", StringComparison.Ordinal) is var at and >= 0 && reply.EndsWith(')') ? reply[..at] : reply;

    private static string Short(string text) => text.Length <= 90 ? text : text[..90] + "…";
}
