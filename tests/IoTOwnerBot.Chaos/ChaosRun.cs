using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using IoTOwnerBot.Emulator.Teams;
using IoTOwnerBot.Hosting;
using IoTOwnerBot.Local;

namespace IoTOwnerBot.Chaos;

/// <summary>What a chaos run found, and what it did to get there.</summary>
public sealed record ChaosReport(
    IReadOnlyList<AuditLine> Lines,
    IReadOnlyList<ChaosDatabase.FailedWork> FailedWork,
    ChaosCounts Counts,
    int Incidents,
    int ClicksAccepted,
    TimeSpan? TimeToDrain,
    double PeakRequestsPerSecond,
    int Requests,
    int FaultedRequests,
    string Logs)
{
    public bool Drained => TimeToDrain is not null;
    public bool Clean => Drained && FailedWork.Count == 0 && Lines.All(l => l.Clean);
}

/// <summary>
/// One chaos run: the emulator and the service as processes, a storm of incidents answered by their owners in Outlook
/// and Teams, the service killed (SIGKILL, SIGTERM, during start-up) and Microsoft's side failing meanwhile; then the
/// drain, and the audit of what the cloud and the service show against what the product promises.
/// </summary>
public sealed class ChaosRun(ChaosOptions options, TextWriter output)
{
    private static readonly HashSet<string> IoTProducts = new(["Azure Defender for IoT", "Microsoft Defender for IoT"], StringComparer.OrdinalIgnoreCase);
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public async Task<ChaosReport> RunAsync(CancellationToken ct = default)
    {
        var logs = options.Logs is { Length: > 0 } dir ? Path.GetFullPath(dir) : Path.Combine(Path.GetTempPath(), $"iotownerbot-chaos-{Guid.NewGuid():N}");
        Directory.CreateDirectory(logs);
        Log($"logs in {logs}");
        var random = new Random(options.Seed);

        using var emulator = await EmulatorHost.StartAsync(logs);
        await using var database = await ChaosDatabase.CreateAsync(options, logs);
        Log($"emulator at {emulator.BaseUri}, store {database.Provider}, {options.Instances} instance(s)");

        // A second Teams-only owner beside David Miller (no mailbox in the directory): Carlos Ruiz loses his mailbox.
        await emulator.UpsertUserAsync(new JsonObject { ["userPrincipalName"] = "carlos.ruiz@contoso.example", ["mail"] = null });
        // The sender pool: mailboxes of the tenant, each a registered sender with Exchange's limits of its own.
        var senders = Enumerable.Range(1, options.Senders).Select(i => $"iot-sender-{i:00}@contoso.example").ToList();
        foreach (var sender in senders)
            await emulator.UpsertUserAsync(new JsonObject { ["userPrincipalName"] = sender, ["mail"] = sender, ["displayName"] = $"IoT owner bot ({sender[..13]})" });
        var users = await emulator.UsersAsync();
        var socMember = (string)users.OfType<JsonObject>().First(u => string.Equals((string?)u["userPrincipalName"], TeamsWorld.SocTeamMembers[0], StringComparison.OrdinalIgnoreCase))["id"]!;
        var samples = await IncidentPlan.SamplesAsync(emulator, IoTProducts);
        var plans = IncidentPlan.Plan(options.Incidents, samples, random);

        var instances = Enumerable.Range(0, options.Instances)
            .Select(n => new ServiceInstance(n, emulator.BaseUri, database, options.Instances, senders, socMember, logs)).ToList();
        try
        {
            await emulator.RegisterBotAsync(instances[0].MessagingEndpoint, LocalDefaults.BotAppId);
            var monkey = new ChaosMonkey(instances, options, random, Log);
            foreach (var instance in instances) await monkey.RestartAsync(instance, ct);
            Log("service ready; the storm begins");

            var intakeToken = await emulator.TokenAsync(LocalMode.LocalIntakeAudience);
            var clicks = new OwnerClicks(emulator, plans, () => instances.FirstOrDefault(i => i.IsReady)?.MessagingEndpoint);
            using var stopClicks = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var clicking = clicks.RunAsync(stopClicks.Token);
            var faults = new FaultDrain(emulator, options.Faults);
            await faults.StartAsync();
            if (faults.Active) Log($"faults on: {options.Faults:P0} of Microsoft requests for {options.FaultSeconds} s");
            var faultsEnd = _clock.Elapsed + TimeSpan.FromSeconds(options.FaultSeconds);

            var chaos = monkey.RunAsync(ct);
            var forwarding = new List<Task>();
            var gap = TimeSpan.FromMilliseconds(Math.Clamp(monkey.EstimatedDuration.TotalMilliseconds / Math.Max(1, plans.Count), 20, 1000));
            foreach (var plan in plans)
            {
                await RaiseAsync(emulator, plan);
                await faults.AddConflictsAsync(plan.Name);
                forwarding.Add(ForwardAsync(plan, instances, intakeToken, random.Next(), ct));
                if (faults.Active && _clock.Elapsed > faultsEnd) await StopFaultsAsync(faults);
                await Task.Delay(gap, ct);
            }
            Log($"{plans.Count} incidents raised");
            await chaos;
            Log($"chaos done: {monkey.Counts.Kills} SIGKILL, {monkey.Counts.Sigterms} SIGTERM, {monkey.Counts.StartupKills} start-up kills");
            while (faults.Active && _clock.Elapsed < faultsEnd) await Task.Delay(200, ct);
            await StopFaultsAsync(faults);
            await Task.WhenAll(forwarding);

            var drainStarted = _clock.Elapsed;
            var drained = await DrainAsync(database, clicks, instances, monkey, ct);
            var timeToDrain = drained ? _clock.Elapsed - drainStarted : (TimeSpan?)null;
            Log(drained ? $"drained in {timeToDrain!.Value.TotalSeconds:0.0} s" : $"NOT drained after {options.DrainTimeoutSeconds} s");
            await stopClicks.CancelAsync();
            await clicking;

            var observations = await ObserveAsync(emulator, database, instances, plans);
            await KeepCloudStateAsync(emulator, logs);
            var (peak, requests, faulted) = await RequestRateAsync(emulator);
            var report = new ChaosReport(ChaosAudit.Audit(observations), await database.FailedWorkAsync(), monkey.Counts, plans.Count,
                plans.Sum(p => p.Clicks.Count(c => c.Outcome == ClickOutcome.Accepted)), timeToDrain, peak, requests, faulted, logs);
            foreach (var instance in instances) await instance.TerminateAsync();
            return report;
        }
        finally
        {
            foreach (var instance in instances) instance.Dispose();
        }
    }

    /// <summary>The emulator's request journal and the SOC channel as the run left them, beside the logs, for a finding's story.</summary>
    private static async Task KeepCloudStateAsync(EmulatorHost emulator, string logs)
    {
        var indented = new System.Text.Json.JsonSerializerOptions { WriteIndented = true };
        await File.WriteAllTextAsync(Path.Combine(logs, "requests.json"), (await emulator.RequestsAsync()).ToJsonString(indented));
        await File.WriteAllTextAsync(Path.Combine(logs, "soc-channel.json"), (await emulator.ChannelAsync(TeamsWorld.SocChannelId)).ToJsonString(indented));
    }

    private async Task StopFaultsAsync(FaultDrain faults)
    {
        if (!faults.Active) return;
        await faults.StopAsync();
        Log("faults cleared");
    }

    private static async Task RaiseAsync(EmulatorHost emulator, IncidentPlan plan)
    {
        var raised = await emulator.RaiseAsync(plan.Sample.Name, $"{plan.Marker} {plan.Sample.Name}");
        var incident = raised["incident"]!.AsObject();
        plan.Name = (string)incident["name"]!;
        plan.ArmId = (string)incident["id"]!;
        plan.InitialSeverity = (string)incident["properties"]!["severity"]!;
        plan.TriggerPayload = raised["triggerPayload"]!.AsObject();
    }

    /// <summary>The Sentinel forwarder: posts the trigger to an instance until one accepts it (retrying on errors, as a Logic App does).</summary>
    private static async Task ForwardAsync(IncidentPlan plan, List<ServiceInstance> instances, string token, int seed, CancellationToken ct)
    {
        var random = new Random(seed);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        for (var attempt = 0; attempt < 600 && !ct.IsCancellationRequested; attempt++)
        {
            var instance = instances[random.Next(instances.Count)];
            try
            {
                using var post = new HttpRequestMessage(HttpMethod.Post, new Uri(instance.BaseAddress, "api/incidents")) { Content = JsonContent.Create(plan.TriggerPayload) };
                post.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                using var response = await http.SendAsync(post, ct);
                if (response.IsSuccessStatusCode)
                {
                    plan.Forwarded = true;
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                // down or killed mid-request: try again
            }
            await Task.Delay(1000, ct);
        }
    }

    /// <summary>
    /// Waits until the owners have clicked what they meant to, every instance is up, and no work is due or retrying
    /// (several looks in a row, so an item enqueued by the last one's completion is seen).
    /// </summary>
    private async Task<bool> DrainAsync(ChaosDatabase database, OwnerClicks clicks, IReadOnlyList<ServiceInstance> instances, ChaosMonkey monkey, CancellationToken ct)
    {
        var deadline = _clock.Elapsed + TimeSpan.FromSeconds(options.DrainTimeoutSeconds);
        var quiet = 0;
        var lastNote = TimeSpan.Zero;
        while (_clock.Elapsed < deadline)
        {
            foreach (var instance in instances.Where(i => i.HasExited))
            {
                Log($"service {instance.Number} exited by itself; starting it again");
                await monkey.RestartAsync(instance, ct);
            }
            var busy = await database.BusyWorkAsync();
            quiet = busy == 0 ? quiet + 1 : 0;
            if (quiet >= 5 && clicks.AllDone) return true;
            // Quiet for a while and some owners still have no card: they will not get one (the audit judges why).
            if (quiet >= 10) clicks.StopWaitingForCards();
            if (_clock.Elapsed - lastNote > TimeSpan.FromSeconds(15))
            {
                lastNote = _clock.Elapsed;
                Log($"draining: {busy} work item(s) due or retrying, clicks {(clicks.AllDone ? "done" : "pending")}");
            }
            await Task.Delay(1000, ct);
        }
        return false;
    }

    private static async Task<List<IncidentObservation>> ObserveAsync(EmulatorHost emulator, ChaosDatabase database, List<ServiceInstance> instances,
        IReadOnlyList<IncidentPlan> plans)
    {
        var owners = plans.SelectMany(p => p.Sample.Owners).DistinctBy(o => o.Address.ToUpperInvariant()).ToList();
        var mails = new Dictionary<string, List<string>>(StringComparer.OrdinalIgnoreCase);
        var cards = new Dictionary<string, List<string>>(StringComparer.OrdinalIgnoreCase);
        foreach (var owner in owners)
        {
            mails[owner.Address] = [.. (await emulator.MailboxAsync(owner.Address))["messages"]!.AsArray().Select(m => (string?)m!["subject"] ?? "")];
            cards[owner.Address] = (await emulator.ChatAsync(owner.Address))?["messages"]!.AsArray().OfType<JsonObject>()
                .Where(m => m["activity"]?["attachments"] is JsonArray { Count: > 0 }).Select(m => m["activity"]!.ToJsonString()).ToList() ?? [];
        }
        var threads = (await emulator.ChannelAsync(TeamsWorld.SocChannelId))["threads"]!.AsArray().OfType<JsonObject>().ToList();
        var commentIds = await database.CommentIdsAsync();
        var decidedFirst = await database.DeliveriesAfterDecisionAsync();
        var soc = new SocApi(instances[0].BaseAddress, await emulator.TokenAsync(LocalMode.LocalIntakeAudience, "IoTOwnerBot.Soc"));

        var observations = new List<IncidentObservation>();
        foreach (var plan in plans)
        {
            var details = await emulator.IncidentAsync(plan.Name);
            var comments = details["comments"]!.AsArray().OfType<JsonObject>()
                .Select(c => (((string)c["name"]!).ToUpperInvariant(), (string?)c["properties"]?["message"] ?? "")).ToList();
            bool Names(string text) => text.Contains(plan.Marker, StringComparison.Ordinal);
            observations.Add(new IncidentObservation(
                plan,
                details["incident"]!["properties"]!.AsObject(),
                comments,
                await soc.QuestionsAsync(plan.ArmId),
                commentIds[plan.Name].ToHashSet(StringComparer.OrdinalIgnoreCase),
                mails.ToDictionary(m => m.Key, m => m.Value.Count(Names), StringComparer.OrdinalIgnoreCase),
                cards.ToDictionary(m => m.Key, m => m.Value.Count(Names), StringComparer.OrdinalIgnoreCase),
                [.. threads.Where(t => t["root"]!["activity"]!.ToJsonString().Contains(plan.Marker, StringComparison.Ordinal))
                    .Select(t => (t["root"]!["activity"]!["attachments"]?[0]?["content"] as JsonObject,
                        (IReadOnlyList<string>)[.. t["replies"]!.AsArray().Select(r => (string?)r!["activity"]!["text"] ?? "")]))],
                decidedFirst.Where(d => string.Equals(d.Incident, plan.Name, StringComparison.OrdinalIgnoreCase))
                    .Select(d => d.Address).ToHashSet(StringComparer.OrdinalIgnoreCase)));
        }
        return observations;
    }

    /// <summary>Peak requests per second the service made to the emulated Microsoft endpoints, from the journal's timestamps.</summary>
    private static async Task<(double Peak, int Requests, int Faulted)> RequestRateAsync(EmulatorHost emulator)
    {
        var journal = (await emulator.RequestsAsync()).OfType<JsonObject>().ToList();
        var perSecond = journal
            .Select(e => DateTimeOffset.Parse((string)e["timestamp"]!, CultureInfo.InvariantCulture).ToUnixTimeSeconds())
            .GroupBy(s => s).Select(g => g.Count()).DefaultIfEmpty(0).Max();
        return (perSecond, journal.Count, journal.Count(e => e["faultId"] is not null));
    }

    private void Log(string message) => output.WriteLine($"[{_clock.Elapsed:mm\\:ss}] {message}");

    /// <summary>The service's SOC API, read with a SOC caller's token.</summary>
    private sealed class SocApi(Uri service, string token)
    {
        public async Task<IReadOnlyList<JsonObject>> QuestionsAsync(string incidentId)
        {
            using var http = new HttpClient { BaseAddress = service, Timeout = TimeSpan.FromSeconds(30) };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            var questions = await http.GetFromJsonAsync<JsonNode>($"api/questions?incidentId={Uri.EscapeDataString(incidentId)}");
            var list = questions as JsonArray ?? questions?["questions"] as JsonArray ?? questions?["value"] as JsonArray ?? [];
            return [.. list.OfType<JsonObject>().OrderBy(q => (int?)q["round"] ?? 1)];
        }
    }
}
