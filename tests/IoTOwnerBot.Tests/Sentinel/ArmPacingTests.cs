using System.Net;
using IoTOwnerBot.Emulator.Limits;
using IoTOwnerBot.Jobs;
using IoTOwnerBot.Sentinel;
using IoTOwnerBot.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace IoTOwnerBot.Tests.Sentinel;

/// <summary>
/// Sentinel calls are kept inside ARM's token buckets for the service's principal before they leave: a request waits
/// for its token on the service's clock or goes back to the queue unsent, and what ARM says is left lowers the bucket.
/// </summary>
public sealed class ArmBudgetTests
{
    private const string Subscription = "6f1c7d2e-0000-4000-8000-000000000001";
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 3, 8, 0, 0, TimeSpan.Zero));

    private ArmBudget Budget(int writeBucket = 3, int writesPerSecond = 1, TimeSpan? maxWait = null, int instances = 1) =>
        new(Options.Create(new SentinelOptions
            {
                Arm = new ArmLimitOptions { WriteBucket = writeBucket, WritesPerSecond = writesPerSecond, MaxWait = maxWait ?? TimeSpan.Zero },
            }),
            Options.Create(new JobOptions { Instances = instances }), _clock);

    [Fact]
    public async Task TheBucket_IsSpentAtOnce_ThenTheNextRequestIsNotSent_DueWhenItsTokenIsThere()
    {
        var budget = Budget();
        for (var i = 0; i < 3; i++) await budget.AcquireAsync(Subscription, ArmOperation.Write, default);

        var refused = await Assert.ThrowsAsync<NotSentException>(() => budget.AcquireAsync(Subscription, ArmOperation.Write, default));
        Assert.Equal(_clock.GetUtcNow() + TimeSpan.FromSeconds(1), refused.At);
        // Reads have a bucket of their own, and so has every subscription.
        await budget.AcquireAsync(Subscription, ArmOperation.Read, default);
        await budget.AcquireAsync("another-subscription", ArmOperation.Write, default);

        _clock.Advance(TimeSpan.FromSeconds(1));
        await budget.AcquireAsync(Subscription, ArmOperation.Write, default);
    }

    [Fact]
    public async Task RequestsRefusedTogether_AreToldOneTokenApart_SoTheyComeBackAtArmsRate()
    {
        var budget = Budget(writeBucket: 1, writesPerSecond: 2);
        await budget.AcquireAsync(Subscription, ArmOperation.Write, default);
        var start = _clock.GetUtcNow();

        var told = new List<DateTimeOffset?>();
        for (var i = 0; i < 4; i++)
            told.Add((await Assert.ThrowsAsync<NotSentException>(() => budget.AcquireAsync(Subscription, ArmOperation.Write, default))).At);
        Assert.Equal([start.AddSeconds(0.5), start.AddSeconds(1), start.AddSeconds(1.5), start.AddSeconds(2)], told);

        // Each comes back at its time and finds its token; one that asks in between is told a time after the last.
        _clock.Advance(TimeSpan.FromSeconds(0.5));
        await budget.AcquireAsync(Subscription, ArmOperation.Write, default);
        _clock.Advance(TimeSpan.FromSeconds(0.25));
        var between = await Assert.ThrowsAsync<NotSentException>(() => budget.AcquireAsync(Subscription, ArmOperation.Write, default));
        Assert.Equal(start.AddSeconds(2.5), between.At);
        _clock.Advance(TimeSpan.FromSeconds(0.25));
        await budget.AcquireAsync(Subscription, ArmOperation.Write, default);

        // Once the told times have passed, a refusal is due when the next token is there again.
        _clock.Advance(TimeSpan.FromSeconds(10));
        await budget.AcquireAsync(Subscription, ArmOperation.Write, default);
        var later = await Assert.ThrowsAsync<NotSentException>(() => budget.AcquireAsync(Subscription, ArmOperation.Write, default));
        Assert.Equal(_clock.GetUtcNow().AddSeconds(0.5), later.At);
    }

    [Fact]
    public async Task ARequestWithinMaxWait_WaitsOnTheServicesClock_InTheOrderAsked()
    {
        var budget = Budget(writeBucket: 1, writesPerSecond: 2, maxWait: TimeSpan.FromSeconds(5));
        await budget.AcquireAsync(Subscription, ArmOperation.Write, default);

        var second = budget.AcquireAsync(Subscription, ArmOperation.Write, default);
        var third = budget.AcquireAsync(Subscription, ArmOperation.Write, default);
        Assert.False(second.IsCompleted);

        _clock.Advance(TimeSpan.FromMilliseconds(500));
        await second;
        Assert.False(third.IsCompleted);
        _clock.Advance(TimeSpan.FromMilliseconds(500));
        await third;
    }

    [Fact]
    public void WhatArmSaysIsLeft_LowersTheBucket_A429EmptiesIt_NothingRaisesIt()
    {
        var budget = Budget(writeBucket: 200, writesPerSecond: 10);
        using var ok = new HttpResponseMessage(HttpStatusCode.OK);
        ok.Headers.Add("x-ms-ratelimit-remaining-subscription-writes", "42");
        budget.Observe(Subscription, ArmOperation.Write, ok);
        Assert.Equal(42, budget.Available(Subscription, ArmOperation.Write));

        using var more = new HttpResponseMessage(HttpStatusCode.OK);
        more.Headers.Add("x-ms-ratelimit-remaining-subscription-writes", "199");
        budget.Observe(Subscription, ArmOperation.Write, more);
        Assert.Equal(42, budget.Available(Subscription, ArmOperation.Write));

        using var throttled = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        budget.Observe(Subscription, ArmOperation.Write, throttled);
        Assert.Equal(0, budget.Available(Subscription, ArmOperation.Write));
        // It refills at ARM's rate from there.
        _clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(20, budget.Available(Subscription, ArmOperation.Write), 6);
    }

    [Fact]
    public async Task A429WithRetryAfter_HoldsEveryRequestUntilThen()
    {
        // Throttling that lasts: the resource provider asks for a minute, so no request leaves before the minute is up.
        var budget = Budget(writeBucket: 200, writesPerSecond: 10);
        using var throttled = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        throttled.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(60));
        budget.Observe(Subscription, ArmOperation.Write, throttled);

        var refused = await Assert.ThrowsAsync<NotSentException>(() => budget.AcquireAsync(Subscription, ArmOperation.Write, default));
        Assert.Equal(_clock.GetUtcNow() + TimeSpan.FromSeconds(60), refused.At!.Value, TimeSpan.FromMilliseconds(1));
        _clock.Advance(TimeSpan.FromSeconds(59));
        await Assert.ThrowsAsync<NotSentException>(() => budget.AcquireAsync(Subscription, ArmOperation.Write, default));
        _clock.Advance(TimeSpan.FromSeconds(1));
        await budget.AcquireAsync(Subscription, ArmOperation.Write, default);
    }

    [Fact]
    public void SeveralInstances_EachKeepToItsShare()
    {
        var budget = Budget(writeBucket: 200, writesPerSecond: 10, instances: 4);
        Assert.Equal(50, budget.Available(Subscription, ArmOperation.Write));
        using var ok = new HttpResponseMessage(HttpStatusCode.OK);
        ok.Headers.Add("x-ms-ratelimit-remaining-subscription-writes", "100");
        budget.Observe(Subscription, ArmOperation.Write, ok);
        Assert.Equal(25, budget.Available(Subscription, ArmOperation.Write));
    }

    [Theory]
    [InlineData("https://management.azure.com/subscriptions/ABC/resourceGroups/rg/providers/x?api-version=1", "ABC")]
    [InlineData("https://management.azure.com/providers/Microsoft.Resources/operations", "(tenant)")]
    public void TheBucket_IsTheUrlsSubscription(string url, string subscription) =>
        Assert.Equal(subscription, ArmPacingHandler.SubscriptionOf(new Uri(url)));
}

/// <summary>A storm against ARM's real write budget: every incident handled, and ARM never had to refuse a request.</summary>
public sealed class ArmPacingStormTests : IntegrationTest
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));

    protected override TimeProvider? Clock => _clock;

    protected override bool EmulatorOnServiceClock => true;

    protected override void Configure(Dictionary<string, string?> settings)
    {
        // A small bucket so a short storm spends it: the same for ARM (the emulator) and for the service's plan.
        settings["Sentinel:Arm:WriteBucket"] = "10";
        settings["Sentinel:Arm:WritesPerSecond"] = "2";
        settings["Delivery:Mode"] = "EmailOnly";
    }

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Emulator.Limits.Limits = new ProviderLimits { Arm = new ArmLimits { WriteBucket = 10, WritesPerSecond = 2 } };
    }

    [Fact]
    public async Task AStorm_IsPacedInsideArmsWriteBucket_No429_NothingLost()
    {
        const int storm = 12;
        var incidents = new List<string>();
        for (var i = 0; i < storm; i++)
        {
            var incident = await Admin.RaiseAsync(Samples.PlcProgramming);
            incidents.Add(incident.Name);
            using var response = await PostIncidentAsync(incident.TriggerPayload);
            response.EnsureSuccessStatusCode();
        }

        await Bot.SettleAsync(_clock, maxRounds: 500);

        Assert.Equal(storm, await QuestionCountAsync());
        foreach (var name in incidents) Assert.NotEmpty(await Admin.CommentsAsync(name));
        Assert.Equal(0, await Bot.QueryAsync(db => db.WorkItems.CountAsync(w => w.Status == WorkStatus.Failed)));
        var arm = Emulator.Journal.Requests("/subscriptions/");
        Assert.True(arm.Count(r => r.Method is "PUT" or "POST" or "PATCH") > 2 * 10, "the storm spent the write bucket more than twice over");
        Assert.DoesNotContain(arm, r => r.Status == 429);
    }
}
