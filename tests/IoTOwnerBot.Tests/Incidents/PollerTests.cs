using IoTOwnerBot.Incidents;
using IoTOwnerBot.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IoTOwnerBot.Tests.Incidents;

public sealed class PollerTests : IntegrationTest
{
    private IncidentPoller Poller => Bot.Services.GetRequiredService<IncidentPoller>();

    [Fact]
    public async Task Poller_PicksUpAnIncidentNobodyPosted()
    {
        var incident = await Admin.RaiseAsync(Samples.PlcProgramming);

        var accepted = await Poller.PollOnceAsync(default);

        Assert.Equal(1, accepted);
        var question = await QuestionForAsync(incident.ArmId);
        Assert.NotEmpty(question.Recipients);
        CommentAssert.OneIntroAndNoDuplicates(await Admin.CommentsAsync(incident.Name));
    }

    [Fact]
    public async Task Poller_IgnoresNonIoTIncidents()
    {
        await Admin.RaiseAsync(Samples.NonIoT);

        Assert.Equal(0, await Poller.PollOnceAsync(default));
        Assert.Equal(0, await WorkCountAsync());
    }

    [Fact]
    public async Task Poller_AndPost_OfTheSameIncident_GiveOneQuestion()
    {
        var incident = await Admin.RaiseAsync(Samples.PlcProgramming);
        using var response = await PostIncidentAsync(incident.TriggerPayload);

        await Poller.PollOnceAsync(default);
        await QuestionForAsync(incident.ArmId);
        await Poller.PollOnceAsync(default);
        await Bot.WaitForIdleAsync();

        Assert.Equal(1, await QuestionCountAsync());
        CommentAssert.OneIntroAndNoDuplicates(await Admin.CommentsAsync(incident.Name));
    }

    [Fact]
    public async Task Checkpoint_IsDurable_AndLaterPollsReadOnlyNewChanges()
    {
        var first = await Admin.RaiseAsync(Samples.PlcProgramming);
        await Poller.PollOnceAsync(default);
        var checkpoint = await Bot.QueryAsync(db => db.PollerCheckpoints.SingleAsync());

        await RestartBotAsync();
        var second = await Admin.RaiseAsync(Samples.TwoDevices);
        await Admin.ClearRequestsAsync();
        var accepted = await Poller.PollOnceAsync(default);

        Assert.Equal(1, accepted);
        Assert.True((await Bot.QueryAsync(db => db.PollerCheckpoints.SingleAsync())).LastModifiedUtc >= checkpoint.LastModifiedUtc);
        await QuestionForAsync(second.ArmId);
        await QuestionForAsync(first.ArmId);
        Assert.Equal(2, await QuestionCountAsync());
    }
}
