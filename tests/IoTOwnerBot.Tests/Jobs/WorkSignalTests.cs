using IoTOwnerBot.Jobs;
using Microsoft.Extensions.Options;

namespace IoTOwnerBot.Tests.Jobs;

/// <summary>Wake-ups for idle workers: kept for a worker not yet waiting, never more than there are workers.</summary>
public sealed class WorkSignalTests
{
    [Fact]
    public async Task NotificationsWhileEveryWorkerIsBusy_LeaveAtMostOneWakeUpPerWorker()
    {
        using var signal = new WorkSignal(Options.Create(new JobOptions { Concurrency = 4 }));
        for (var i = 0; i < 1000; i++) signal.Notify();

        Assert.Equal(4, signal.Pending);
        for (var i = 0; i < 4; i++) Assert.True(await signal.WaitAsync(TimeSpan.Zero, CancellationToken.None));
        Assert.False(await signal.WaitAsync(TimeSpan.Zero, CancellationToken.None));
    }

    [Fact]
    public async Task AWaitingWorker_IsWokenByTheNextNotification()
    {
        using var signal = new WorkSignal(Options.Create(new JobOptions { Concurrency = 1 }));
        var waiting = signal.WaitAsync(Timeout.InfiniteTimeSpan, CancellationToken.None);
        Assert.False(waiting.IsCompleted);

        signal.Notify();
        Assert.True(await waiting);
        Assert.Equal(0, signal.Pending);
    }
}
