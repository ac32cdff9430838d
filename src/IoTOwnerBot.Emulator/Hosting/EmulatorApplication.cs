using IoTOwnerBot.Emulator.Admin;
using IoTOwnerBot.Emulator.Entra;
using IoTOwnerBot.Emulator.Faults;
using IoTOwnerBot.Emulator.Graph;
using IoTOwnerBot.Emulator.Journal;
using IoTOwnerBot.Emulator.Limits;
using IoTOwnerBot.Emulator.LogAnalytics;
using IoTOwnerBot.Emulator.Outlook;
using IoTOwnerBot.Emulator.Samples;
using IoTOwnerBot.Emulator.Sentinel;
using IoTOwnerBot.Emulator.Teams;
using IoTOwnerBot.Emulator.Tenant;

namespace IoTOwnerBot.Emulator.Hosting;

/// <summary>Wires the emulator into an ASP.NET Core application: one Add and one Use, like any feature.</summary>
public static class EmulatorApplication
{
    public static WebApplicationBuilder AddEmulator(this WebApplicationBuilder builder, EmulatorSettings settings)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(settings);
        var context = new EmulatorContext(settings);
        var catalog = SampleCatalog.Load(settings.SamplesDirectory);
        var tenant = new TenantWorld(catalog);
        var throttle = new ProviderThrottle(context.Time);
        builder.Services.AddSingleton(context);
        builder.Services.AddSingleton(catalog);
        builder.Services.AddEmulatedState(tenant);
        builder.Services.AddEmulatedState(new SentinelWorld(catalog, context, tenant));
        builder.Services.AddEmulatedState(new OutlookWorld(context, tenant, throttle));
        builder.Services.AddEmulatedState(new TeamsWorld(context, tenant.FindUser, () => tenant.Users));
        builder.Services.AddEmulatedState(throttle);
        builder.Services.AddEmulatedState(new RequestJournal(context));
        builder.Services.AddEmulatedState(new FaultRules());
        builder.Services.AddSingleton(new TokenIssuer(context, tenant.FindUser));
        builder.Services.AddSingleton(new Teams.BotFrameworkKeys(context));
        builder.Services.AddHttpClient(Teams.TeamsAdmin.HttpClientName);
        builder.Services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull;
            // Write ' and " in messages as the real services do, not as \u0027 (bodies are JSON, never HTML).
            o.SerializerOptions.Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
            o.SerializerOptions.TypeInfoResolverChain.Insert(0, EmulatorJson.Default);
        });
        // Unreadable bodies throw, so ErrorEnvelopeMiddleware can answer in the called service's error format.
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        return builder;
    }

    /// <summary>One emulated service's state: injected as itself, and reset with all the others by <c>POST /admin/reset</c>.</summary>
    private static void AddEmulatedState<TState>(this IServiceCollection services, TState state) where TState : class, IResettable
    {
        services.AddSingleton(state);
        services.AddSingleton<IResettable>(state);
    }

    /// <summary>Middleware order: journal (sees the final status) → error envelopes → faults → bearer tokens → the providers' limits → endpoints.</summary>
    public static WebApplication UseEmulator(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseMiddleware<JournalMiddleware>();
        app.UseMiddleware<ErrorEnvelopeMiddleware>();
        app.UseMiddleware<FaultMiddleware>();
        app.UseMiddleware<BearerTokenMiddleware>();
        app.UseMiddleware<Limits.LimitMiddleware>();

        app.MapEntraEndpoints();
        app.MapSentinelEndpoints();
        app.MapLogAnalyticsEndpoints();
        Teams.TeamsEndpoints.MapTeamsEndpoints(app);
        app.MapGraphEndpoints();
        app.MapAdminEndpoints();
        Outlook.OutlookClick.MapOutlookClickEndpoints(app);
        Lab.LabEndpoints.MapLab(app);
        app.MapGet("/", () => TypedResults.Redirect("/admin"));
        app.MapFallback(ErrorEnvelopeMiddleware.NotFound);
        return app;
    }
}
