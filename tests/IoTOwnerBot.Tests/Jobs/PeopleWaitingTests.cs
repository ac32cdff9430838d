using IoTOwnerBot.Jobs;
using Microsoft.Extensions.Time.Testing;

namespace IoTOwnerBot.Tests.Jobs;

/// <summary>Background workers step aside while a person waits on a request: until the last such request ends, or at most the configured time.</summary>
public sealed class PeopleWaitingTests
{
    private readonly FakeTimeProvider _clock = new();

    [Fact]
    public async Task NobodyWaiting_WorkersGoOnAtOnce()
    {
        var people = new PeopleWaiting(_clock);
        await people.WhenQuietAsync(TimeSpan.FromMilliseconds(250), CancellationToken.None);
        Assert.Equal(0, people.Active);
    }

    [Fact]
    public async Task WhileSomeoneWaits_WorkersWaitUntilTheLastRequestEnds()
    {
        var people = new PeopleWaiting(_clock);
        var first = people.Enter();
        var second = people.Enter();
        var worker = people.WhenQuietAsync(TimeSpan.FromMilliseconds(250), CancellationToken.None);
        Assert.Equal(2, people.Active);

        first.Dispose();
        first.Dispose(); // ending a request twice counts once
        Assert.Equal(1, people.Active);
        Assert.False(worker.IsCompleted);

        second.Dispose();
        await worker;
        Assert.Equal(0, people.Active);
    }

    [Fact]
    public async Task PeopleWhoKeepClicking_HoldAWorkerBackAtMostTheConfiguredTime()
    {
        var people = new PeopleWaiting(_clock);
        using var click = people.Enter();
        var worker = people.WhenQuietAsync(TimeSpan.FromMilliseconds(250), CancellationToken.None);

        _clock.Advance(TimeSpan.FromMilliseconds(249));
        Assert.False(worker.IsCompleted);
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        await worker;
        Assert.Equal(1, people.Active);
    }

    [Fact]
    public async Task ZeroYield_NeverWaits()
    {
        var people = new PeopleWaiting(_clock);
        using var click = people.Enter();
        await people.WhenQuietAsync(TimeSpan.Zero, CancellationToken.None);
    }

    [Fact]
    public async Task AStop_CancelsTheWait()
    {
        var people = new PeopleWaiting(_clock);
        using var click = people.Enter();
        using var stopping = new CancellationTokenSource();
        var worker = people.WhenQuietAsync(TimeSpan.FromSeconds(1), stopping.Token);
        await stopping.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => worker);
    }

    [Fact]
    public async Task AfterQuiet_ANewRequestHoldsWorkersBackAgain()
    {
        var people = new PeopleWaiting(_clock);
        people.Enter().Dispose();
        using var click = people.Enter();
        var worker = people.WhenQuietAsync(TimeSpan.FromMilliseconds(250), CancellationToken.None);
        Assert.False(worker.IsCompleted);
        click.Dispose();
        await worker;
    }
}
