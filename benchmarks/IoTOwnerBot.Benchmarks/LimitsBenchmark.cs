using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using IoTOwnerBot.Emulator;
using IoTOwnerBot.Emulator.Entra;
using IoTOwnerBot.Emulator.Tenant;
using IoTOwnerBot.Hosting;
using IoTOwnerBot.Jobs;
using IoTOwnerBot.Local;
using IoTOwnerBot.Outlook;
using IoTOwnerBot.Persistence;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace IoTOwnerBot.Benchmarks;

/// <summary>
/// Storms at Exchange Online's real limits: N incidents over 200 owners, sent from 1 and 3 sender mailboxes, against
/// the emulator enforcing Microsoft's limits. Service and emulator share one fake clock that the benchmark moves to the
/// next due work whenever the service is idle, so hours of Exchange's time pass in minutes and nothing depends on
/// this machine's speed. Prints e-mails per minute ÷ the mailboxes' budget, 429s, Outbox holds and refusals, the most
/// recipients any mailbox sent to in a 24 h window, lost and duplicated e-mails, and when the last owner was asked.
/// With <c>automatic=00:05:00</c> an owner's waiting questions go out in one digest when the budget would make an
/// e-mail wait longer than that (<c>Digest:AutomaticAfter</c>); by default every question goes alone, which measures pacing.
/// Run: <c>dotnet run -c Release --project benchmarks/IoTOwnerBot.Benchmarks -- limits [storm=1000] [owners=200] [senders=1,3] [automatic=00:00:00]</c>.
/// </summary>
internal static class LimitsBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var storm = Arg(args, "storm", "1000").Split(',').Select(int.Parse).ToList();
        var owners = int.Parse(Arg(args, "owners", "200"), CultureInfo.InvariantCulture);
        var pools = Arg(args, "senders", "1,3").Split(',').Select(int.Parse).ToList();
        var automatic = TimeSpan.Parse(Arg(args, "automatic", "00:00:00"), CultureInfo.InvariantCulture);
        Console.WriteLine($"IoTOwnerBot storms at Exchange's limits: {owners} owners, one device each, digest window off, " +
                          $"{(automatic > TimeSpan.Zero ? $"automatic digests past a {automatic} wait" : "every question alone")}, fake clock shared with the emulator, {Environment.ProcessorCount} cores");
        foreach (var incidents in storm)
        {
            foreach (var senders in pools) await RunOneAsync(incidents, owners, senders, automatic);
        }
        return 0;
    }

    private static string Arg(string[] args, string name, string fallback) =>
        args.Select(a => a.Split('=')).Where(p => p.Length == 2 && p[0] == name).Select(p => p[1]).FirstOrDefault(fallback);

    private static async Task RunOneAsync(int incidents, int ownerCount, int senderCount, TimeSpan automatic)
    {
        var wall = Stopwatch.StartNew();
        var start = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        var clock = new FakeTimeProvider(start);
        await using var emulator = await EmulatorServer.StartAsync(new EmulatorSettings { TimeProvider = clock });
        var owners = Enumerable.Range(1, ownerCount).Select(i => $"owner-{i:000}@contoso.example").ToList();
        var senders = Enumerable.Range(1, senderCount).Select(i => $"iot-sender-{i:00}@contoso.example").ToList();
        foreach (var address in owners.Concat(senders))
            emulator.Tenant.UpsertUser(new DirectoryUser { Id = Guid.NewGuid().ToString(), UserPrincipalName = address, Mail = address, DisplayName = address[..address.IndexOf('@', StringComparison.Ordinal)] });

        var database = Path.Combine(Path.GetTempPath(), $"iotownerbot-limits-{Guid.NewGuid():N}.db");
        var settings = LocalMode.ConfigurationFor(emulator);
        settings["Local:StartEmulator"] = "false";
        settings["Storage:ConnectionString"] = $"Data Source={database}";
        settings["Sentinel:Poller:Enabled"] = "false";
        settings["Sentinel:Arm:MaxWait"] = "00:00:00"; // on virtual time a request over ARM's budget goes back to the queue, due when its token is there
        settings["Digest:Window"] = "00:00:00"; // no storm window: one e-mail per incident unless the budget is short
        settings["Digest:AutomaticAfter"] = automatic.ToString("c", CultureInfo.InvariantCulture);
        settings["Delivery:Mode"] = "EmailOnly";
        settings["SocThread:Enabled"] = "false";
        // What is measured is the first asking of every owner: no reminders or escalations on top.
        settings["Lifecycle:MaxReminders"] = "0";
        settings["Lifecycle:EscalateAfter"] = "";
        settings["Logging:LogLevel:Default"] = "Warning";
        settings["Logging:LogLevel:IoTOwnerBot"] = "Error";
        settings["Logging:LogLevel:Polly"] = "None";
        for (var i = 0; i < senders.Count; i++) settings[$"Outlook:SenderMailboxes:{i}"] = senders[i];
        await using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.UseContentRoot(AppContext.BaseDirectory);
            foreach (var (key, value) in settings) web.UseSetting(key, value);
            web.ConfigureServices(s => s.AddSingleton<TimeProvider>(clock));
        });
        using var bot = factory.CreateClient();
        var signal = factory.Services.GetRequiredService<WorkSignal>();

        // The storm: every incident names one owner's device, round-robin over the owners.
        var intake = emulator.MintToken(new TokenRequest { Audience = LocalMode.LocalIntakeAudience });
        using var admin = new HttpClient { BaseAddress = emulator.BaseUri, Timeout = TimeSpan.FromMinutes(1) };
        for (var i = 0; i < incidents; i++)
        {
            var body = new JsonObject
            {
                ["sample"] = "plc-programming-mode",
                ["devices"] = new JsonArray(new JsonObject { ["owners"] = new JsonArray(owners[i % owners.Count]) }),
            };
            var raised = (await (await admin.PostAsJsonAsync("admin/incidents", body)).Content.ReadFromJsonAsync<JsonObject>())!;
            using var post = new HttpRequestMessage(HttpMethod.Post, "api/incidents") { Content = JsonContent.Create(raised["triggerPayload"]) };
            post.Headers.Authorization = new AuthenticationHeaderValue("Bearer", intake);
            (await bot.SendAsync(post)).EnsureSuccessStatusCode();
        }

        // The intake answers 202 before its work is stored: wait until every incident is queued.
        while (await CountAsync(factory.Services, db => db.WorkItems.CountAsync(w => w.Kind == "incident.intake")) < incidents) await Task.Delay(100);

        // Virtual time: whenever nothing is due, the clock moves to the next due work item.
        var horizon = start + TimeSpan.FromDays(3);
        DateTimeOffset? lastSent = null;
        var commentsWhenLastSent = 0;
        while (true)
        {
            var (due, next, nextMail, sends, comments, intaking) = await QueueAsync(factory.Services, clock.GetUtcNow());
            if (due > 0)
            {
                await Task.Delay(20);
                continue;
            }
            if (sends == 0 && intaking == 0)
            {
                lastSent = clock.GetUtcNow();
                commentsWhenLastSent = comments;
                break;
            }
            if (next is null || next > horizon) break;
            // E-mail goes exactly at its slot; other work (ARM's tokens come every 0.1 s) is let through a second at a time.
            var to = Max(next.Value, clock.GetUtcNow() + TimeSpan.FromSeconds(1));
            if (nextMail is { } mailDue && mailDue < to) to = mailDue;
            clock.Advance(to - clock.GetUtcNow() + TimeSpan.FromMilliseconds(1));
            signal.Notify();
        }

        var inboxes = owners.SelectMany(o => emulator.Outlook.GetMailbox(o).Messages).ToList();
        var deliveries = inboxes.Select(m => m.InternetMessageHeaders.FirstOrDefault(h => h.Name == OutlookMailer.DeliveryHeader)?.Value).Where(h => h is not null).ToList();
        var budgets = emulator.Outlook.SendingBudgets.Where(b => senders.Contains(b.Address, StringComparer.OrdinalIgnoreCase)).ToList();
        var sentAt = senders.ToDictionary(s => s, s => emulator.Outlook.GetMailbox(s).SentItems.Select(m => m.ReceivedAt).Order().ToList());
        var maxDay = sentAt.Values.Select(times => times.Count == 0 ? 0 : times.Max(t => times.Count(u => u > t.AddHours(-24) && u <= t))).Max();
        var maxMinute = sentAt.Values.Select(times => times.Count == 0 ? 0 : times.Max(t => times.Count(u => u > t.AddMinutes(-1) && u <= t))).Max();
        // The pace while a mailbox sends: its sends in stretches with no gap over a minute (a longer gap is the day's
        // recipient budget spent, not slow pacing), over the stretches' length.
        var (paced, pacedMinutes) = (0, 0.0);
        foreach (var times in sentAt.Values)
        {
            var stretch = Stretches(times);
            (paced, pacedMinutes) = (paced + stretch.Sends, pacedMinutes + stretch.Minutes);
        }
        var perMinute = paced / Math.Max(pacedMinutes, 1.0 / 30) * senderCount;
        var reserved = factory.Services.GetRequiredService<IOptions<OutlookOptions>>().Value.ReservedRecipients;
        var refusals = emulator.Journal.Requests().Where(r => r.Status == 429).ToList();
        var mail429 = refusals.Count(r => r.Path.Contains("/users/", StringComparison.Ordinal));
        var arm429 = refusals.Count(r => r.Path.Contains("/subscriptions/", StringComparison.Ordinal));
        var refused = budgets.Sum(b => b.Refused);
        var held = emulator.Outlook.Mailboxes.Where(m => senders.Contains(m.Address, StringComparer.OrdinalIgnoreCase)).Sum(m => m.OutboxCount);
        var failed = await CountAsync(factory.Services, db => db.WorkItems.CountAsync(w => w.Status == WorkStatus.Failed));
        var waiting = await CountAsync(factory.Services, db => db.WorkItems.CountAsync(w => w.Kind == OutlookSendWork.Kind && w.Status == WorkStatus.Pending));
        var questions = await CountAsync(factory.Services, db => db.Questions.CountAsync());
        var kinds = await QueryAsync(factory.Services, db => db.WorkItems.GroupBy(w => new { w.Kind, w.Status }).Select(g => g.Key.Kind + " " + g.Key.Status + " " + g.Count()).ToListAsync());
        Console.WriteLine($"questions {questions}; work: {string.Join(", ", kinds)}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{incidents} incidents, {senderCount} sender(s): {deliveries.Count} e-mails, {deliveries.Distinct().Count()} distinct, {waiting} still waiting at +3 d; " +
            $"{perMinute:0.0}/min while sending = {perMinute / (30.0 * senderCount):0.00} of the budget; most in a minute {maxMinute}, in 24 h {maxDay} (limits 30 / 10,000 per mailbox, {reserved} of them kept for reminders and high severity); " +
            $"429s on mail {mail429}, on Sentinel (ARM) {arm429}, other {refusals.Count - mail429 - arm429}; Exchange refusals {refused}, held in Outbox {held}, failed work {failed}; " +
            $"last owner asked at +{(lastSent ?? clock.GetUtcNow()) - start:d\\.hh\\:mm\\:ss} virtual, comments still queued then {commentsWhenLastSent}; {wall.Elapsed.TotalSeconds:0} s wall"));
        File.Delete(database);
    }

    /// <summary>
    /// A pool of sender mailboxes for benchmarks about something else than Exchange's limits: each sends 30 a minute,
    /// so a storm of thousands needs many to go out in seconds (the emulator enforces the limits either way).
    /// </summary>
    internal static void AddSenderPool(EmulatorServer emulator, IDictionary<string, string?> settings, int count)
    {
        for (var i = 0; i < count; i++)
        {
            var address = $"iot-sender-{i + 1:000}@contoso.example";
            if (emulator.Tenant.FindUser(address) is null)
                emulator.Tenant.UpsertUser(new DirectoryUser { Id = Guid.NewGuid().ToString(), UserPrincipalName = address, Mail = address, DisplayName = $"IoT owner bot {i + 1}" });
            settings[$"Outlook:SenderMailboxes:{i}"] = address;
        }
    }

    private static async Task<(int Due, DateTimeOffset? Next, DateTimeOffset? NextMail, int Sends, int Comments, int Intake)> QueueAsync(IServiceProvider services, DateTimeOffset now)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<BotDbContext>();
        var pending = db.WorkItems.AsNoTracking().Where(w => w.Status == WorkStatus.Pending);
        var due = await pending.CountAsync(w => w.DueAt <= now);
        var next = await pending.OrderBy(w => w.DueAt).Select(w => (DateTimeOffset?)w.DueAt).FirstOrDefaultAsync();
        var mail = pending.Where(w => w.Kind == OutlookSendWork.Kind || w.Kind == OutlookDigestWork.Kind);
        var nextMail = await mail.OrderBy(w => w.DueAt).Select(w => (DateTimeOffset?)w.DueAt).FirstOrDefaultAsync();
        var sends = await mail.CountAsync();
        var comments = await pending.CountAsync(w => w.Kind == "incident.comment");
        var intake = await pending.CountAsync(w => w.Kind == "incident.intake");
        return (due, next, nextMail, sends, comments, intake);
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    /// <summary>Intervals between consecutive sends no more than a minute apart, and their total length in minutes.</summary>
    private static (int Sends, double Minutes) Stretches(List<DateTime> times)
    {
        var (sends, minutes) = (0, 0.0);
        for (var i = 1; i < times.Count; i++)
        {
            var gap = times[i] - times[i - 1];
            if (gap > TimeSpan.FromMinutes(1)) continue;
            sends++;
            minutes += gap.TotalMinutes;
        }
        return (sends, minutes);
    }

    private static async Task<T> QueryAsync<T>(IServiceProvider services, Func<BotDbContext, Task<T>> query)
    {
        await using var scope = services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<BotDbContext>());
    }

    private static async Task<int> CountAsync(IServiceProvider services, Func<BotDbContext, Task<int>> query)
    {
        await using var scope = services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<BotDbContext>());
    }
}
