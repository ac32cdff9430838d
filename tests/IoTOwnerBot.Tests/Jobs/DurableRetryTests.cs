using System.Diagnostics.Metrics;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using IoTOwnerBot.Jobs;
using IoTOwnerBot.Questions;
using IoTOwnerBot.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace IoTOwnerBot.Tests.Jobs;

/// <summary>The one retry policy of durable work: faults never lose an effect, Retry-After is the due time, a refusal is seen.</summary>
public sealed class DurableRetryTests(ITestOutputHelper output) : IntegrationTest
{
    private const string Klaus = "klaus.schmidt@contoso.example";

    protected override void Configure(Dictionary<string, string?> settings) =>
        // Few attempts: a policy that spent them on faults (or on calls a breaker refused) would lose work here.
        settings["Jobs:MaxAttempts"] = "4";

    [Fact]
    public async Task SendMailThrottledFarLongerThanTheAttempts_TheEmailStillGoesOnce_NoFailureNoFallback()
    {
        using var outlook = new OutlookClient(Emulator);
        // Graph refuses sendMail with 429 for 12 requests: in-place retries and work attempts together, three times
        // what the attempt limit would allow. A refused message was never sent, so no attempt is spent on it.
        await Admin.FaultAsync("sendMail", 429, times: 12, method: "POST", retryAfterSeconds: 1);
        var incident = await Admin.RaiseAsync(Samples.PlcProgramming);
        using (var response = await PostIncidentAsync(incident.TriggerPayload)) { }
        await QuestionForAsync(incident.ArmId);

        await Bot.WaitForAsync(db => db.WorkItems.Where(w => w.Kind == IoTOwnerBot.Outlook.OutlookSendWork.Kind).AllAsync(w => w.Status == WorkStatus.Succeeded),
            "the e-mail sent", TimeSpan.FromSeconds(90));

        Assert.Single(await outlook.InboxAsync(Klaus));
        Assert.Equal(12, (await Admin.RequestsAsync("sendMail")).Count(r => r.Status == 429));
        Assert.Equal(0, await Bot.QueryAsync(db => db.WorkItems.CountAsync(w => w.Status == WorkStatus.Failed)));
        Assert.Equal(0, await Bot.QueryAsync(db => db.WorkItems.CountAsync(w => w.Kind == IoTOwnerBot.Teams.TeamsSendWork.Kind)));
        Assert.DoesNotContain(await Admin.CommentsAsync(incident.Name), c => c.Contains("could not be e-mailed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SustainedSentinelFaults_ThenQuiet_EveryCommentAndIncidentUpdateArrivesOnce()
    {
        using var outlook = new OutlookClient(Emulator);
        using var notSent = new CounterListener(Bot.Services, "iotownerbot.work.not_sent");
        var answered = await Admin.RaiseAsync(Samples.PlcProgramming);
        using (var response = await PostIncidentAsync(answered.TriggerPayload)) { }
        await QuestionForAsync(answered.ArmId);
        await Bot.WaitForAsync(db => db.WorkItems.Where(w => w.Kind == IoTOwnerBot.Outlook.OutlookSendWork.Kind).AllAsync(w => w.Status != WorkStatus.Pending), "the e-mail sent");

        // Every comment and incident PUT fails, far longer than the attempt limit would allow, then Sentinel is quiet.
        const int faults = 30;
        await Admin.FaultAsync("/incidents/", 503, times: faults, method: "PUT");
        var silent = await Admin.RaiseAsync(Samples.NoOwner);
        using (var response = await PostIncidentAsync(silent.TriggerPayload)) { }
        var click = await outlook.ClickAsync(Klaus, 0, Klaus);
        Assert.Equal(200, click.Status);

        await Bot.WaitForIdleAsync(TimeSpan.FromMinutes(3));

        var faulted = (await Admin.RequestsAsync("/incidents/")).Count(r => r.Method == "PUT" && r.Status == 503);
        var items = await Bot.QueryAsync(db => db.WorkItems.AsNoTracking().ToListAsync());
        var sentinelItems = items.Where(w => w.Kind == CommentWork.Kind || w.Kind == IncidentUpdateWork.Kind).ToList();
        output.WriteLine($"faulted PUTs: {faulted}; Sentinel items: {sentinelItems.Count}; attempts: {string.Join(", ", sentinelItems.Select(w => $"{w.Kind}={w.Attempts}"))}; not sent: {notSent.Total}");

        Assert.Equal(faults, faulted);
        Assert.DoesNotContain(items, w => w.Status == WorkStatus.Failed);
        Assert.Contains(sentinelItems, w => w.Attempts > 4);
        var comments = await Admin.CommentsAsync(answered.Name);
        CommentAssert.OneIntroAndNoDuplicates(comments);
        Assert.Single(comments, c => c.Contains("answered", StringComparison.Ordinal));
        var properties = (await Admin.IncidentAsync(answered.Name))["incident"]!["properties"]!;
        Assert.Equal("Closed", (string?)properties["status"]);
        Assert.Contains("IoT owner: expected", properties["labels"]!.AsArray().Select(l => (string?)l!["labelName"]));
        var only = Assert.Single(await Admin.CommentsAsync(silent.Name));
        Assert.StartsWith("IoTOwnerBot found no owner", only, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PermanentRefusal_IsOnTheTimeline_InTheMetric_AndInReadyz()
    {
        using var failed = new CounterListener(Bot.Services, "iotownerbot.work.failed");
        var incident = await Admin.RaiseAsync(Samples.NoOwner);
        await Admin.FaultAsync("/comments/", 403, times: 1, method: "PUT");
        using (var response = await PostIncidentAsync(incident.TriggerPayload)) { }
        await Bot.WaitForAsync(db => db.WorkItems.AnyAsync(w => w.Kind == CommentWork.Kind && w.Status == WorkStatus.Failed), "the comment to fail");

        var question = await QuestionForAsync(incident.ArmId);
        var entry = Assert.Single(question.Timeline, t => t.Kind == TimelineKinds.CommentFailed);
        Assert.Contains(CommentWork.Kind, entry.Message, StringComparison.Ordinal);
        Assert.Contains("403", entry.Message, StringComparison.Ordinal);
        // A refused comment is not mirrored as another comment.
        Assert.Null(entry.CommentId);
        Assert.Equal(1, failed.For(CommentWork.Kind));

        using var ready = await Bot.Client.GetAsync("readyz");
        Assert.True(ready.IsSuccessStatusCode);
        var report = JsonNode.Parse(await ready.Content.ReadAsStringAsync())!;
        Assert.Equal("Degraded", (string?)report["status"]);
        var work = report["checks"]!["work"]!;
        Assert.Equal("Degraded", (string?)work["status"]);
        Assert.Equal(1, (int)work["data"]!["failedItems"]!);
        Assert.Equal(1, (int)work["data"]!["failedKinds"]![CommentWork.Kind]!);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void RetryAfter_SecondsOrDate_IsReadAgainstTheServiceClock(bool asDate)
    {
        // Far from the machine's clock, so a wall-clock read cannot give this answer.
        var now = new DateTimeOffset(2031, 5, 4, 10, 0, 0, TimeSpan.Zero);
        var header = asDate ? new RetryConditionHeaderValue(now.AddSeconds(90)) : new RetryConditionHeaderValue(TimeSpan.FromSeconds(90));

        Assert.Equal(TimeSpan.FromSeconds(90), DurableRetry.RetryAfter(header, now));
    }

    /// <summary>Sums one counter of the durable queue's meter of one host (other hosts run in parallel).</summary>
    private sealed class CounterListener : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly Dictionary<string, long> _byKind = [];

        public CounterListener(IServiceProvider services, string name)
        {
            var factory = services.GetRequiredService<IMeterFactory>();
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == WorkMetrics.MeterName && instrument.Meter.Scope == factory && instrument.Name == name)
                    listener.EnableMeasurementEvents(instrument);
            };
            _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            {
                var kind = "";
                foreach (var tag in tags) if (tag.Key == "kind") kind = tag.Value as string ?? "";
                lock (_byKind) _byKind[kind] = _byKind.GetValueOrDefault(kind) + value;
            });
            _listener.Start();
        }

        public long Total { get { lock (_byKind) return _byKind.Values.Sum(); } }
        public long For(string kind) { lock (_byKind) return _byKind.GetValueOrDefault(kind); }
        public void Dispose() => _listener.Dispose();
    }
}

/// <summary>Retry-After from Sentinel is the due time of the work item, on the service's clock.</summary>
public sealed class RetryAfterDueTimeTests : IntegrationTest
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2031, 5, 4, 10, 0, 0, TimeSpan.Zero));

    protected override TimeProvider? Clock => _clock;

    [Fact]
    public async Task SentinelRetryAfter_IsTheItemsNextDueTime_AndTheCommentArrivesOnceThen()
    {
        var incident = await Admin.RaiseAsync(Samples.NoOwner);
        await Admin.FaultAsync("/comments/", 429, times: 1, method: "PUT", retryAfterSeconds: 120);
        using (var response = await PostIncidentAsync(incident.TriggerPayload)) { }
        await Bot.WaitForAsync(db => db.WorkItems.AnyAsync(w => w.Kind == CommentWork.Kind && w.Attempts == 1 && w.LastError != null),
            "the throttled comment to be rescheduled");

        var item = await Bot.QueryAsync(db => db.WorkItems.AsNoTracking().SingleAsync(w => w.Kind == CommentWork.Kind));
        Assert.Equal(WorkStatus.Pending, item.Status);
        Assert.Equal(_clock.GetUtcNow() + TimeSpan.FromSeconds(120), item.DueAt);
        Assert.Empty(await Admin.CommentsAsync(incident.Name));

        _clock.Advance(TimeSpan.FromSeconds(120));
        await Bot.WaitForAsync(db => db.WorkItems.AnyAsync(w => w.Kind == CommentWork.Kind && w.Status == WorkStatus.Succeeded), "the comment written");
        Assert.Single(await Admin.CommentsAsync(incident.Name));
    }
}
