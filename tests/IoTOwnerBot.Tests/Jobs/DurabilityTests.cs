using IoTOwnerBot.Jobs;
using IoTOwnerBot.Questions;
using IoTOwnerBot.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace IoTOwnerBot.Tests.Jobs;

public sealed class DurabilityTests : IntegrationTest
{
    [Fact]
    public async Task AfterARestart_PendingWorkIsStillThere_AndRunsOnce()
    {
        var incident = await Admin.RaiseAsync(Samples.PlcProgramming);
        // Sentinel refuses comments for a while: the comment stays pending in the database.
        await Admin.FaultAsync("/comments/", 503, times: 1000, method: "PUT");
        using (var response = await PostIncidentAsync(incident.TriggerPayload)) { }
        await Bot.WaitForAsync(db => db.WorkItems.AnyAsync(w => w.Kind == CommentWork.Kind && w.Attempts >= 1 && w.Status == WorkStatus.Pending),
            "the comment to be attempted and still pending");

        await RestartBotAsync();
        await Admin.ClearFaultsAsync();
        await Bot.WaitForIdleAsync();

        Assert.Equal(1, await QuestionCountAsync());
        CommentAssert.OneIntroAndNoDuplicates(await Admin.CommentsAsync(incident.Name));
        // Everything attempted succeeded; only work planned for later (expiry, the Teams fallback) is still waiting.
        Assert.True(await Bot.QueryAsync(db => db.WorkItems.AllAsync(w => w.Status == WorkStatus.Succeeded || (w.Status == WorkStatus.Pending && w.Attempts == 0))));
    }

    [Fact]
    public async Task CommentsOfAQuestion_ArePostedInTimelineOrder_EvenWhenSentinelIsSlow()
    {
        var incident = await Admin.RaiseAsync(Samples.TwoDevices);
        // The first comment (whom the bot asks) is slow; the e-mails sent meanwhile must not overtake it.
        await Admin.FaultAsync("/comments/", status: null, times: 1, method: "PUT", delayMs: 1500);
        using (var response = await PostIncidentAsync(incident.TriggerPayload)) { }
        var question = await QuestionForAsync(incident.ArmId);
        await Bot.WaitForIdleAsync();

        var comments = await Admin.CommentsAsync(incident.Name);
        var mirrored = question.Timeline.Where(t => t.CommentId is not null).OrderBy(t => t.Id).Select(t => t.Message).ToList();
        Assert.True(comments.Count >= 4, $"expected the intro and three e-mails, got {comments.Count}");
        Assert.StartsWith("IoTOwnerBot will ask", comments[0], StringComparison.Ordinal);
        // (The e-mails were sent concurrently, so among themselves they have no order to keep.)
        Assert.Equal(mirrored.Order(StringComparer.Ordinal), comments.Take(mirrored.Count).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task WorkRunAgainAfterItsSideEffect_RepeatsNothing()
    {
        var incident = await Admin.RaiseAsync(Samples.PlcProgramming);
        using (var response = await PostIncidentAsync(incident.TriggerPayload)) { }
        await QuestionForAsync(incident.ArmId);

        // A crash between the side effect and recording success: the items are pending again after a restart.
        await Bot.QueryAsync(db => db.WorkItems.ExecuteUpdateAsync(s => s.SetProperty(w => w.Status, WorkStatus.Pending)));
        await RestartBotAsync();
        await Bot.WaitForIdleAsync();

        Assert.Equal(1, await QuestionCountAsync());
        CommentAssert.OneIntroAndNoDuplicates(await Admin.CommentsAsync(incident.Name));
    }

    [Fact]
    public async Task ExpiredLease_OfACrashedWorker_IsTakenOver()
    {
        var incident = await Admin.RaiseAsync(Samples.PlcProgramming);
        await RestartBotAsync(s => s["Jobs:RunWorkers"] = "false");
        using (var response = await PostIncidentAsync(incident.TriggerPayload)) { }
        // Another instance claimed the intake and died holding it: its lease has run out.
        await Bot.QueryAsync(db => db.WorkItems.ExecuteUpdateAsync(s => s
            .SetProperty(w => w.LeaseOwner, "crashed-instance")
            .SetProperty(w => w.LeaseUntil, DateTimeOffset.UtcNow.AddSeconds(-1))
            .SetProperty(w => w.Attempts, 1)));

        await RestartBotAsync();
        var question = await QuestionForAsync(incident.ArmId);

        Assert.NotEmpty(question.Recipients);
        CommentAssert.OneIntroAndNoDuplicates(await Admin.CommentsAsync(incident.Name));
    }

    [Fact]
    public async Task LiveLease_OfAnotherWorker_IsNotTaken()
    {
        var incident = await Admin.RaiseAsync(Samples.PlcProgramming);
        await RestartBotAsync(s => s["Jobs:RunWorkers"] = "false");
        using (var response = await PostIncidentAsync(incident.TriggerPayload)) { }
        await Bot.QueryAsync(db => db.WorkItems.ExecuteUpdateAsync(s => s
            .SetProperty(w => w.LeaseOwner, "busy-instance")
            .SetProperty(w => w.LeaseUntil, DateTimeOffset.UtcNow.AddMinutes(5))));

        Assert.False(await Bot.Dispatcher.RunOneAsync(default));
        Assert.Equal(0, await QuestionCountAsync());
    }

    [Fact]
    public async Task TwoInstancesOnOneDatabase_CreateOneQuestionPerIncident()
    {
        var incidents = new List<EmulatorAdmin.RaisedIncident>();
        for (var i = 0; i < 6; i++) incidents.Add(await Admin.RaiseAsync(Samples.PlcProgramming));
        await using var second = await BotHost.StartAsync(Emulator, Database);

        var posts = incidents.SelectMany(i => new[] { Bot, second }.Select(async host =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "api/incidents") { Content = System.Net.Http.Json.JsonContent.Create(i.TriggerPayload.DeepClone()) };
            request.Headers.Authorization = new("Bearer", IntakeToken());
            using var response = await host.Client.SendAsync(request);
            response.EnsureSuccessStatusCode();
        }));
        await Task.WhenAll(posts);
        await Bot.WaitForAsync(db => db.Questions.CountAsync().ContinueWith(t => t.Result == incidents.Count), "a question per incident");
        await Bot.WaitForIdleAsync();

        Assert.Equal(incidents.Count, await QuestionCountAsync());
        foreach (var incident in incidents) CommentAssert.OneIntroAndNoDuplicates(await Admin.CommentsAsync(incident.Name));
    }
}
