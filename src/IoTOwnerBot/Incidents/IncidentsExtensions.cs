using System.IdentityModel.Tokens.Jwt;
using IoTOwnerBot.Hosting;
using IoTOwnerBot.Jobs;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;

namespace IoTOwnerBot.Incidents;

/// <summary>Incident intake: the authenticated endpoint, the poller, and the work that turns incidents into questions.</summary>
public static class IncidentsExtensions
{
    public const string IntakePolicy = "Intake";
    public const string IntakeScheme = "Intake";
    public const string IntakeEntraScheme = "IntakeEntra";
    public const string IntakeHmacScheme = "IntakeHmac";

    public static IServiceCollection AddIncidentIntake(this IServiceCollection services)
    {
        services.AddOptions<IntakeOptions>().BindSettings(IntakeOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<IntakeOptions>, IntakeOptionsValidator>();

        services.AddScoped<IntakeService>();
        services.AddWork<IntakeWork, IntakeWorkHandler>();
        services.AddWork<Questions.CommentWork, CommentWorkHandler>();
        services.AddWork<Questions.IncidentUpdateWork, IncidentUpdateWorkHandler>();
        services.AddSingleton<IncidentPoller>();
        services.AddHostedService(sp => sp.GetRequiredService<IncidentPoller>());

        services.AddAuthentication()
            .AddPolicyScheme(IntakeScheme, "Incident intake", o => o.ForwardDefaultSelector = context =>
                context.Request.Headers.ContainsKey(HmacAuthenticationHandler.SignatureHeader) ? IntakeHmacScheme : IntakeEntraScheme)
            .AddScheme<AuthenticationSchemeOptions, HmacAuthenticationHandler>(IntakeHmacScheme, null);
        return services.AddBearerScheme<IntakeOptions>(IntakeEntraScheme, IntakePolicy, ConfigureEntra,
            c => IsAllowedCaller(c.User, c.Resource), policyScheme: IntakeScheme);
    }

    private static void ConfigureEntra(JwtBearerOptions o, IOptions<CloudOptions> cloudOptions, IOptions<CredentialOptions> credentialOptions, IOptions<IntakeOptions> intakeOptions)
    {
        var cloud = cloudOptions.Value;
        var credentials = credentialOptions.Value;
        var intake = intakeOptions.Value;
        EntraBearer.Configure(o, cloud, credentials, intake.AllowedTenants,
            string.IsNullOrWhiteSpace(intake.Audience) ? [] : [intake.Audience]);
        o.Events = new JwtBearerEvents
        {
            OnChallenge = async context =>
            {
                context.HandleResponse();
                await IntakeBody.WriteUnauthorizedAsync(context.HttpContext);
            },
        };
    }

    private static bool IsAllowedCaller(System.Security.Claims.ClaimsPrincipal user, object? resource)
    {
        // Only the HMAC handler can mint this identity type; a token cannot claim it.
        if (user.Identities.Any(i => i.AuthenticationType == IntakeHmacScheme)) return true;
        var services = (resource as HttpContext)?.RequestServices;
        var intake = services?.GetRequiredService<IOptionsMonitor<IntakeOptions>>().CurrentValue;
        if (intake is null || intake.AllowedCallers.Count == 0) return true;
        var caller = user.FindFirst("azp")?.Value ?? user.FindFirst("appid")?.Value ?? user.FindFirst(JwtRegisteredClaimNames.Sub)?.Value;
        return caller is not null && intake.AllowedCallers.Contains(caller, StringComparer.OrdinalIgnoreCase);
    }

    public static IApplicationBuilder UseIncidentIntake(this IApplicationBuilder app) => app.UseIntakeBodyLimit();
}
