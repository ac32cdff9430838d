using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using IoTOwnerBot.Emulator;
using IoTOwnerBot.Emulator.Entra;
using IoTOwnerBot.Hosting;
using IoTOwnerBot.Local;
using IoTOwnerBot.Questions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IoTOwnerBot.Tests.Infrastructure;

/// <summary>A fresh emulator and a fresh service (own store: a SQLite file or a PostgreSQL database) per test.</summary>
public abstract class IntegrationTest : IAsyncLifetime
{
    protected EmulatorServer Emulator { get; private set; } = null!;
    protected EmulatorAdmin Admin { get; private set; } = null!;
    protected BotHost Bot { get; set; } = null!;
    protected TestDatabase Database { get; private set; } = null!;

    /// <summary>The service's clock; a test that needs to move time sets a FakeTimeProvider here.</summary>
    protected virtual TimeProvider? Clock => null;

    /// <summary>True: the emulator keeps Microsoft's time on <see cref="Clock"/> too (its limits' windows move with it).</summary>
    protected virtual bool EmulatorOnServiceClock => false;

    /// <summary>Adjusts the service's settings before it starts.</summary>
    protected virtual void Configure(Dictionary<string, string?> settings) { }

    /// <summary>Adds or replaces services of the service before it starts (e.g. a fault to inject).</summary>
    protected virtual void ConfigureServices(IServiceCollection services) { }

    public virtual async Task InitializeAsync()
    {
        Emulator = await EmulatorServer.StartAsync(EmulatorOnServiceClock && Clock is { } clock ? new EmulatorSettings { TimeProvider = clock } : null);
        Admin = new EmulatorAdmin(Emulator);
        Database = await TestDatabase.CreateAsync();
        Bot = await BotHost.StartAsync(Emulator, Database, Configure, Clock, ConfigureServices);
    }

    public virtual async Task DisposeAsync()
    {
        await Bot.DisposeAsync();
        Admin.Dispose();
        await Emulator.DisposeAsync();
        await Database.DisposeAsync();
    }

    /// <summary>Stops the service and starts it again on the same database (a restart), optionally reconfigured.</summary>
    protected async Task RestartBotAsync(Action<Dictionary<string, string?>>? configure = null)
    {
        await Bot.DisposeAsync();
        Bot = await BotHost.StartAsync(Emulator, Database, s =>
        {
            Configure(s);
            configure?.Invoke(s);
        }, Clock, ConfigureServices);
    }

    protected string IntakeToken(Func<TokenRequest, TokenRequest>? change = null)
    {
        var request = new TokenRequest { Audience = LocalMode.LocalIntakeAudience, Kind = TokenKind.App };
        return Emulator.MintToken(change is null ? request : change(request));
    }

    protected async Task<HttpResponseMessage> PostIncidentAsync(JsonNode body, string? token = "default")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/incidents") { Content = JsonContent.Create(body) };
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token == "default" ? IntakeToken() : token);
        return await Bot.Client.SendAsync(request);
    }

    protected static JsonObject BareId(string armId) => new() { ["incidentId"] = armId };

    protected Task<int> QuestionCountAsync() => Bot.QueryAsync(db => db.Questions.CountAsync());

    protected Task<int> WorkCountAsync() => Bot.QueryAsync(db => db.WorkItems.CountAsync());

    /// <summary>Waits for the question of an incident and returns it with devices, recipients and timeline.</summary>
    protected async Task<Question> QuestionForAsync(string incidentArmId)
    {
        var key = incidentArmId.ToLowerInvariant();
        await Bot.WaitForAsync(db => db.Questions.AnyAsync(q => q.IncidentKey == key), $"a question for {incidentArmId}");
        await Bot.WaitForIdleAsync();
        return await Bot.QueryAsync(db => db.Questions.AsNoTracking()
            .Include(q => q.Devices).Include(q => q.Recipients).Include(q => q.Timeline)
            .SingleAsync(q => q.IncidentKey == key));
    }
}
