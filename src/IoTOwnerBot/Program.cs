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

// `manifest --bot-id <id> --out <zip>` builds the Teams app package instead of running the service.
if (args is ["manifest", ..])
{
    Environment.ExitCode = ManifestCommand.Run(args[1..], Console.Out, Console.Error);
    return;
}

// The repository's appsettings.json is copied beside the binary; the binary's folder is the content root.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
await builder.AddLocalEmulatorWhenNoAzureAsync();
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

app.Run();

/// <summary>Entry point, visible to the integration tests' WebApplicationFactory.</summary>
public partial class Program;
