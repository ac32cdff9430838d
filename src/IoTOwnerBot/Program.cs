using IoTOwnerBot.Cards;
using IoTOwnerBot.Digests;
using IoTOwnerBot.Doctor;
using IoTOwnerBot.Hosting;
using IoTOwnerBot.Incidents;
using IoTOwnerBot.Jobs;
using IoTOwnerBot.Outlook;
using IoTOwnerBot.Owners;
using IoTOwnerBot.Persistence;
using IoTOwnerBot.Questions;
using IoTOwnerBot.SocChannel;
using IoTOwnerBot.Teams;

await Program.RunAsync(args);

/// <summary>
/// The service's composition: the table of contents of its features. The production entry point runs it as it is;
/// the local composition root (<c>src/IoTOwnerBot.Local</c>) runs it after starting the emulator.
/// </summary>
public partial class Program
{
    /// <param name="beforeFeatures">Adds to the configuration before the features read it (local mode: the emulator's endpoints).</param>
    public static async Task RunAsync(string[] args, Func<WebApplicationBuilder, Task>? beforeFeatures = null)
    {
        // `manifest --bot-id <id> --out <zip>` builds the Teams app package instead of running the service.
        if (args is ["manifest", ..])
        {
            Environment.ExitCode = ManifestCommand.Run(args[1..], Console.Out, Console.Error);
            return;
        }

        // The repository's appsettings.json is copied beside the binary; the binary's folder is the content root.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        if (beforeFeatures is not null) await beforeFeatures(builder);
        else if (WantsLocalEmulator(builder.Configuration))
            throw new InvalidOperationException(
                "No Azure is configured (Credentials:Mode is Local) and this is the production service, which does not carry the emulator. " +
                "Run `dotnet run --project src/IoTOwnerBot.Local` to start it with the local emulator, or configure Credentials, Cloud and " +
                "Sentinel for Azure (README, Configuration); Local:StartEmulator=false runs it against an emulator you configured yourself.");
        builder.AddObservability();

        builder.Services.AddPersistence();
        builder.Services.AddJobs();
        builder.Services.AddMicrosoftClients();
        builder.Services.AddOwners();
        builder.Services.AddQuestions();
        builder.Services.AddDigests();
        builder.Services.AddCards(builder.Configuration);
        builder.Services.AddTeams();
        builder.Services.AddSocChannel();
        builder.Services.AddIncidentIntake();
        builder.Services.AddOutlook();

        var app = builder.Build();
        // `doctor` checks this configuration against the real services (read-only) instead of running the service.
        if (await app.RunDoctorWhenAskedAsync(args)) return;
        await app.Services.MigrateDatabaseAsync();

        app.UseIncidentIntake();
        app.UseAuthentication();
        app.UseAuthorization();

        app.MapHealthEndpoints();
        app.MapTeamsEndpoints();
        app.MapIncidentEndpoints();
        app.MapQuestionEndpoints();
        app.MapOutlookEndpoints();

        await app.RunAsync();
    }

    /// <summary>No Azure configured (Credentials:Mode Local, the default) and the emulator not turned off: local mode.</summary>
    public static bool WantsLocalEmulator(IConfiguration configuration) =>
        configuration.GetValue(CredentialOptions.SectionName + ":Mode", CredentialMode.Local) == CredentialMode.Local &&
        configuration.GetValue("Local:StartEmulator", true);
}
