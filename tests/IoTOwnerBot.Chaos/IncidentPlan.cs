using System.Globalization;
using System.Text.Json.Nodes;

namespace IoTOwnerBot.Chaos;

/// <summary>A device owner as the directory has them: asked by e-mail when they have a mailbox, else in Teams.</summary>
public sealed record Owner(string Address, bool HasMailbox);

/// <summary>A sample incident of the emulator: whether Defender for IoT raised it, and its devices' owners.</summary>
public sealed record Sample(string Name, bool IsIoT, IReadOnlyList<Owner> Owners);

public enum ClickOutcome
{
    /// <summary>Not clicked yet (the card has not arrived, or its time has not come).</summary>
    Waiting,
    /// <summary>The service answered the click with 200.</summary>
    Accepted,
    /// <summary>The click reached the service but was not accepted (e.g. the card already showed the outcome).</summary>
    Refused,
    /// <summary>
    /// The service went quiet and the owner's card never came (the question was decided before their delivery was due,
    /// or the delivery was lost: the audit tells which).
    /// </summary>
    NoCard,
}

/// <summary>An owner's planned click on their card of one incident.</summary>
public sealed class PlannedClick(Owner owner, bool expected, TimeSpan after)
{
    public Owner Owner { get; } = owner;
    /// <summary>"Yes, this is expected" (true) or "No, this is NOT expected".</summary>
    public bool Expected { get; } = expected;
    /// <summary>How long after the card arrived the owner clicks.</summary>
    public TimeSpan After { get; } = after;
    public DateTime? CardSeenAt { get; set; }
    public ClickOutcome Outcome { get; set; }
    /// <summary>Tries that reached no running service (it was down or killed mid-click); the owner tries again.</summary>
    public int Tries { get; set; }
    /// <summary>At least one try may have reached the service (its answer can be recorded even if the reply was lost).</summary>
    public bool MayHaveLanded { get; set; }
    public bool Done => Outcome != ClickOutcome.Waiting;
}

/// <summary>One incident of the run: what was raised, and what its owners will do.</summary>
public sealed class IncidentPlan(int number, Sample sample, IReadOnlyList<PlannedClick> clicks)
{
    public int Number { get; } = number;
    public Sample Sample { get; } = sample;
    /// <summary>Put in the incident's title, so its e-mails, Teams cards and SOC thread can be told apart.</summary>
    public string Marker { get; } = string.Create(CultureInfo.InvariantCulture, $"chaos-{number:00000}:");
    public IReadOnlyList<PlannedClick> Clicks { get; } = clicks;
    public string Name { get; set; } = "";
    public string ArmId { get; set; } = "";
    public string InitialSeverity { get; set; } = "";
    public JsonObject? TriggerPayload { get; set; }
    /// <summary>The forwarder's post was answered 2xx by an instance.</summary>
    public bool Forwarded { get; set; }

    /// <summary>
    /// Plans the incidents of a run from the seed: every sample in turn (IoT ones with owners, the no-owner camera, the
    /// non-IoT sign-in), and for incidents with owners mostly one owner answering yes or no after a while, sometimes two
    /// owners (the first answer wins), and some never answered.
    /// </summary>
    public static List<IncidentPlan> Plan(int count, IReadOnlyList<Sample> samples, Random random)
    {
        var plans = new List<IncidentPlan>(count);
        for (var n = 1; n <= count; n++)
        {
            // Samples with owners come up more often than the two without; every kind appears in a short run.
            var sample = n <= samples.Count ? samples[n - 1] : samples[random.Next(samples.Count)];
            var clicks = new List<PlannedClick>();
            if (sample.Owners.Count > 0 && random.NextDouble() < 0.85)
            {
                var clickers = sample.Owners.OrderBy(_ => random.Next()).Take(sample.Owners.Count > 1 && random.NextDouble() < 0.3 ? 2 : 1);
                clicks.AddRange(clickers.Select(o => new PlannedClick(o, random.NextDouble() < 0.5, TimeSpan.FromMilliseconds(random.Next(0, 4000)))));
            }
            plans.Add(new IncidentPlan(n, sample, clicks));
        }
        return plans;
    }

    public static async Task<List<Sample>> SamplesAsync(EmulatorHost emulator, IReadOnlySet<string> iotProducts)
    {
        var mailboxes = (await emulator.UsersAsync()).OfType<JsonObject>()
            .ToDictionary(u => (string)u["userPrincipalName"]!, u => u["mail"] is not null, StringComparer.OrdinalIgnoreCase);
        return [.. (await emulator.SamplesAsync()).OfType<JsonObject>().Select(s => new Sample(
            (string)s["name"]!,
            s["productNames"]!.AsArray().Any(p => iotProducts.Contains((string)p!)),
            [.. s["devices"]!.AsArray().SelectMany(d => d!["owners"]!.AsArray().Select(o => (string)o!))
                .Distinct(StringComparer.OrdinalIgnoreCase)
                .Select(o => new Owner(o, mailboxes.GetValueOrDefault(o, true)))]))
            .OrderBy(s => s.Name, StringComparer.Ordinal)];
    }
}
