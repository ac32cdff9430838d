using IoTOwnerBot.Cards;
using IoTOwnerBot.Hosting;
using IoTOwnerBot.Incidents;
using IoTOwnerBot.Jobs;
using IoTOwnerBot.Outlook;
using IoTOwnerBot.Owners;
using IoTOwnerBot.Persistence;
using IoTOwnerBot.Questions;

// The repository's appsettings.json is copied beside the binary; the binary's folder is the content root.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
await builder.AddLocalEmulatorWhenNoAzureAsync();
builder.AddObservability();

builder.Services.AddPersistence();
builder.Services.AddJobs();
builder.Services.AddMicrosoftClients();
builder.Services.AddOwners();
builder.Services.AddQuestions();
builder.Services.AddCards(builder.Configuration);
builder.Services.AddIncidentIntake();
builder.Services.AddOutlook();

var app = builder.Build();
await app.Services.MigrateDatabaseAsync();

app.UseIncidentIntake();
app.UseAuthentication();
app.UseAuthorization();

app.MapHealthEndpoints();
app.MapIncidentEndpoints();
app.MapQuestionEndpoints();
app.MapOutlookEndpoints();

app.Run();

/// <summary>Entry point, visible to the integration tests' WebApplicationFactory.</summary>
public partial class Program;
