using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

using IoTOwnerBot.Emulator;
using IoTOwnerBot.Emulator.Entra;

using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace IoTOwnerBot.Tests.Emulator;

/// <summary>The emulator over real loopback HTTP: one fresh emulator per test.</summary>
public sealed class EmulatorTests : IAsyncLifetime, IDisposable
{
    private const string Stable = "2025-09-01";
    private const string Preview = "2025-07-01-preview";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private EmulatorServer _server = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _server = await EmulatorServer.StartAsync();
        _http = new HttpClient { BaseAddress = _server.BaseUri };
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public void Dispose() => _http.Dispose();

    // ---------- Entra ----------

    [Fact]
    public async Task TokenEndpoint_ClientCredentials_IssuesTokenThatValidatesAgainstPublishedOpenIdMetadata()
    {
        var response = await _http.PostAsync($"entra/{_server.TenantId}/oauth2/v2.0/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = "11111111-2222-3333-4444-555555555555",
            ["client_secret"] = "not-checked",
            ["scope"] = $"{_server.ArmEndpoint}/.default",
        }));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.Equal("Bearer", (string?)body!["token_type"]);
        Assert.True((int)body["expires_in"]! > 0);

        var metadata = new ConfigurationManager<OpenIdConnectConfiguration>(
            $"{_server.EntraAuthority}/{_server.TenantId}/v2.0/.well-known/openid-configuration",
            new OpenIdConnectConfigurationRetriever(),
            new HttpDocumentRetriever(_http) { RequireHttps = false });
        var configuration = await metadata.GetConfigurationAsync(CancellationToken.None);
        var result = await new JsonWebTokenHandler { MapInboundClaims = false }.ValidateTokenAsync((string)body["access_token"]!, new TokenValidationParameters
        {
            ValidIssuer = $"{_server.EntraAuthority}/{_server.TenantId}/v2.0",
            ValidAudience = _server.ArmEndpoint,
            IssuerSigningKeys = configuration.SigningKeys,
            ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
        });

        Assert.True(result.IsValid, result.Exception?.Message);
        Assert.Equal(configuration.Issuer, $"{_server.EntraAuthority}/{_server.TenantId}/v2.0");
        var jwt = (JsonWebToken)result.SecurityToken;
        Assert.Equal("11111111-2222-3333-4444-555555555555", jwt.GetClaim("azp").Value);
        Assert.Equal("11111111-2222-3333-4444-555555555555", jwt.GetClaim("appid").Value);
        Assert.Equal("2.0", jwt.GetClaim("ver").Value);
        Assert.Equal(_server.TenantId, jwt.GetClaim("tid").Value);
        Assert.True(Guid.TryParse(jwt.GetClaim("oid").Value, out _));
    }

    [Fact]
    public async Task TokenEndpoint_SameClientTwice_GetsTheSameObjectId()
    {
        async Task<string> Oid()
        {
            var response = await _http.PostAsync($"entra/{_server.TenantId}/oauth2/v2.0/token", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials",
                ["client_id"] = "bot-client",
                ["client_assertion_type"] = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                ["client_assertion"] = "eyJ.fake.assertion",
                ["scope"] = $"{_server.GraphEndpoint}/.default",
            }));
            var body = await response.Content.ReadFromJsonAsync<JsonObject>();
            return new JsonWebToken((string)body!["access_token"]!).GetClaim("oid").Value;
        }

        var first = await Oid();
        var second = await Oid();
        Assert.Equal(first, second); // the same client id always gets the same service principal oid
    }

    [Fact]
    public async Task TokenEndpoint_UnsupportedGrantType_ReturnsOAuthError400()
    {
        var response = await _http.PostAsync($"entra/{_server.TenantId}/oauth2/v2.0/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "password",
            ["client_id"] = "x",
            ["scope"] = $"{_server.ArmEndpoint}/.default",
        }));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.Equal("unsupported_grant_type", (string?)body!["error"]);
        Assert.StartsWith("AADSTS70003", (string?)body["error_description"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task MintedV1UserToken_ForActionableMessages_HasV1IssuerAppidUpnAndScope()
    {
        var minted = await _http.PostAsJsonAsync("admin/tokens", new
        {
            kind = "User",
            version = "1.0",
            audience = "api://auth-am-contoso/4f1c0a9e-0000-4000-8000-000000000001",
            user = "klaus.schmidt@contoso.example",
            scopes = "Global.Test",
        });
        Assert.Equal(HttpStatusCode.OK, minted.StatusCode);
        var token = (string)(await minted.Content.ReadFromJsonAsync<JsonObject>())!["accessToken"]!;

        var result = await new JsonWebTokenHandler { MapInboundClaims = false }.ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = $"{_server.EntraV1IssuerBase}/{_server.TenantId}/",
            ValidAudience = "api://auth-am-contoso/4f1c0a9e-0000-4000-8000-000000000001",
            IssuerSigningKey = _server.Tokens.SigningKey,
        });

        Assert.True(result.IsValid, result.Exception?.Message);
        var jwt = (JsonWebToken)result.SecurityToken;
        Assert.Equal(TokenRequest.ActionableMessagesAppId, jwt.GetClaim("appid").Value);
        Assert.Equal("klaus.schmidt@contoso.example", jwt.GetClaim("upn").Value);
        Assert.Equal("bbcfbdc4-8b2b-40c9-8642-823e8a73b9ba", jwt.GetClaim("oid").Value);
        Assert.Equal("Global.Test", jwt.GetClaim("scp").Value);
        Assert.Equal("1.0", jwt.GetClaim("ver").Value);
    }

    [Theory]
    [InlineData(TokenSigning.UnknownKey)]
    [InlineData(TokenSigning.None)]
    public async Task Arm_TokenNotSignedByPublishedKey_Returns401InvalidAuthenticationToken(TokenSigning signing)
    {
        var incident = await RaiseAsync("plc-programming-mode");
        var token = _server.MintToken(new TokenRequest { Audience = _server.ArmEndpoint, Signing = signing });

        var response = await SendAsync(HttpMethod.Get, IncidentUrl(incident), token);

        await AssertErrorAsync(response, HttpStatusCode.Unauthorized, "InvalidAuthenticationToken");
        Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Bearer");
    }

    [Fact]
    public async Task Arm_WithoutToken_Returns401AuthenticationFailed()
    {
        var incident = await RaiseAsync("plc-programming-mode");

        var response = await SendAsync(HttpMethod.Get, IncidentUrl(incident), token: null);

        await AssertErrorAsync(response, HttpStatusCode.Unauthorized, "AuthenticationFailed");
    }

    [Fact]
    public async Task Arm_TokenForGraph_Returns401WrongAudience()
    {
        var incident = await RaiseAsync("plc-programming-mode");

        var response = await SendAsync(HttpMethod.Get, IncidentUrl(incident), _server.MintToken(new TokenRequest { Audience = _server.GraphEndpoint }));

        await AssertErrorAsync(response, HttpStatusCode.Unauthorized, "InvalidAuthenticationTokenAudience");
    }

    [Fact]
    public async Task Arm_ExpiredToken_Returns401ExpiredAuthenticationToken()
    {
        var incident = await RaiseAsync("plc-programming-mode");

        var response = await SendAsync(HttpMethod.Get, IncidentUrl(incident), _server.MintToken(new TokenRequest { Audience = _server.ArmEndpoint, LifetimeSeconds = 0 }));

        await AssertErrorAsync(response, HttpStatusCode.Unauthorized, "ExpiredAuthenticationToken");
    }

    // ---------- Sentinel ----------

    [Fact]
    public async Task Arm_WithoutApiVersion_Returns400MissingApiVersionParameter()
    {
        var incident = await RaiseAsync("plc-programming-mode");

        var response = await SendAsync(HttpMethod.Get, IncidentUrl(incident).Split('?')[0], ArmToken());

        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "MissingApiVersionParameter");
    }

    [Fact]
    public async Task IncidentPut_WithCurrentEtag_UpdatesAndBumpsEtag_AndStaleEtagGets409()
    {
        var incident = await RaiseAsync("plc-programming-mode");
        // Real ids say "Incidents": the path must match case-insensitively.
        var url = IncidentUrl(incident).Replace("/incidents/", "/Incidents/", StringComparison.Ordinal);
        var current = await GetJsonAsync(url);
        var firstEtag = (string)current["etag"]!;

        var update = await SendAsync(HttpMethod.Put, url, ArmToken(), new
        {
            etag = firstEtag,
            properties = new { title = "PLC programming mode change", severity = "High", status = "Active", labels = new[] { new { labelName = "OT" } } },
        });
        Assert.Equal(HttpStatusCode.OK, update.StatusCode);
        var updated = (await update.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.NotEqual(firstEtag, (string)updated["etag"]!);
        Assert.Equal("High", (string?)updated["properties"]!["severity"]);
        Assert.Equal(1, (int)updated["properties"]!["incidentNumber"]!);

        var stale = await SendAsync(HttpMethod.Put, url, ArmToken(), new
        {
            etag = firstEtag,
            properties = new { title = "t", severity = "Low", status = "Active" },
        });
        var error = await AssertErrorAsync(stale, HttpStatusCode.Conflict, "Conflict");
        Assert.Equal($"Newer version of resource '{_server.Workspace.IncidentId(incident)}' exists. Data was not saved", error);
        Assert.Equal("High", _server.Sentinel.FindIncident(incident)!.Properties.Severity);
    }

    [Fact]
    public async Task IncidentPut_ClassificationWithoutReason_Returns400AndChangesNothing()
    {
        var incident = await RaiseAsync("plc-programming-mode");
        var etag = _server.Sentinel.FindIncident(incident)!.Etag;

        var response = await SendAsync(HttpMethod.Put, IncidentUrl(incident), ArmToken(), new
        {
            properties = new { title = "x", severity = "Medium", status = "Closed", classification = "BenignPositive" },
        });

        var message = await AssertErrorAsync(response, HttpStatusCode.BadRequest, "BadRequest");
        Assert.Equal("classification 'BenignPositive' must have classificationReason.", message);
        Assert.Equal(etag, _server.Sentinel.FindIncident(incident)!.Etag);
    }

    [Fact]
    public async Task IncidentPut_ClosedWithoutClassification_Returns400()
    {
        var incident = await RaiseAsync("plc-programming-mode");

        var response = await SendAsync(HttpMethod.Put, IncidentUrl(incident), ArmToken(), new
        {
            properties = new { title = "x", severity = "Medium", status = "Closed" },
        });

        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "BadRequest");
    }

    [Fact]
    public async Task IncidentPut_Labels_KeepAutoAssignedTypeAndMarkNewOnesUser_ReadOnlyFieldsStay()
    {
        var incident = await RaiseAsync("plc-programming-mode");
        var before = _server.Sentinel.FindIncident(incident)!;

        var response = await SendAsync(HttpMethod.Put, IncidentUrl(incident), ArmToken(), new
        {
            properties = new
            {
                title = before.Properties.Title,
                severity = "Medium",
                status = "Closed",
                classification = "BenignPositive",
                classificationReason = "SuspiciousButExpected",
                incidentNumber = 999,
                labels = new[] { new { labelName = "OT" }, new { labelName = "IoT owner: expected" } },
            },
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var after = _server.Sentinel.FindIncident(incident)!;
        Assert.Equal([new("OT", "AutoAssigned"), new("IoT owner: expected", "User")], after.Properties.Labels);
        Assert.Equal(before.Properties.IncidentNumber, after.Properties.IncidentNumber);
        Assert.True(after.Properties.LastModifiedTimeUtc >= before.Properties.LastModifiedTimeUtc);
        Assert.Equal("Closed", after.Properties.Status);
    }

    [Fact]
    public async Task IncidentList_OrderedNewestFirst_PagesThroughNextLink()
    {
        var first = await RaiseAsync("plc-programming-mode");
        var second = await RaiseAsync("hmi-remote-access");
        var third = await RaiseAsync("ews-scan-detected");
        var url = $"arm{_server.Workspace.SecurityInsightsId}/incidents?api-version={Stable}&$orderby=properties/createdTimeUtc desc&$top=2";

        var page1 = await GetJsonAsync(url);
        var page2 = await GetJsonAsync((string)page1["nextLink"]!);

        var names = page1["value"]!.AsArray().Concat(page2["value"]!.AsArray()).Select(i => (string?)i!["name"]).ToList();
        Assert.Equal([third, second, first], names);
        Assert.Contains("$skipToken=", (string)page1["nextLink"]!, StringComparison.Ordinal);
        Assert.Null(page2["nextLink"]);
    }

    [Fact]
    public async Task CommentPut_SameIdTwice_Creates201ThenReturns200_WithoutDuplicate()
    {
        var incident = await RaiseAsync("plc-programming-mode");
        var url = $"arm{_server.Workspace.IncidentId(incident)}/comments/0f8fad5b-d9cb-469f-a165-70867728950e?api-version={Stable}";
        var body = new { properties = new { message = "Device owner klaus.schmidt@contoso.example answered: expected." } };

        var created = await SendAsync(HttpMethod.Put, url, ArmToken(), body);
        var repeated = await SendAsync(HttpMethod.Put, url, ArmToken(), body);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.OK, repeated.StatusCode);
        var first = (await created.Content.ReadFromJsonAsync<JsonObject>())!;
        var second = (await repeated.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal((string?)first["properties"]!["createdTimeUtc"], (string?)second["properties"]!["createdTimeUtc"]);
        Assert.NotNull(first["properties"]!["author"]);
        var list = await GetJsonAsync($"arm{_server.Workspace.IncidentId(incident)}/comments?api-version={Stable}");
        Assert.Single(list["value"]!.AsArray());
        Assert.Equal(1, _server.Sentinel.FindIncident(incident)!.Properties.AdditionalData.CommentsCount);
    }

    [Fact]
    public async Task Entities_PreviewApiVersion_ShowsOwnersAndSite_StableStripsPreviewFields()
    {
        var incident = await RaiseAsync("plc-programming-mode");

        var preview = await PostJsonAsync($"arm{_server.Workspace.IncidentId(incident)}/entities?api-version={Preview}");
        var stable = await PostJsonAsync($"arm{_server.Workspace.IncidentId(incident)}/entities?api-version={Stable}");

        var previewDevice = IoTDevice(preview);
        Assert.Equal(["klaus.schmidt@contoso.example"], previewDevice["owners"]!.AsArray().Select(o => (string?)o));
        Assert.Equal("Hamburg Plant", (string?)previewDevice["site"]);
        Assert.Equal("PLC", (string?)previewDevice["deviceSubType"]);
        var stableDevice = IoTDevice(stable);
        Assert.Equal("HH-PLC-LINE3-01", (string?)stableDevice["deviceName"]);
        foreach (var field in new[] { "owners", "site", "zone", "sensor", "deviceSubType", "importance" })
        {
            Assert.False(stableDevice.ContainsKey(field), field);
        }
        Assert.Contains(stable["metaData"]!.AsArray(), m => (string?)m!["entityKind"] == "IoTDevice" && (int)m["count"]! == 1);
    }

    [Fact]
    public async Task Entities_ExposureWithoutEntitiesApi_HidesOwnersEvenWithPreview()
    {
        var incident = await RaiseAsync("plc-programming-mode", ownerExposure: ["payload", "logAnalytics"]);

        var preview = await PostJsonAsync($"arm{_server.Workspace.IncidentId(incident)}/entities?api-version={Preview}");

        var device = IoTDevice(preview);
        Assert.False(device.ContainsKey("owners"));
        Assert.Equal("Hamburg Plant", (string?)device["site"]);
    }

    // ---------- Log Analytics ----------

    [Fact]
    public async Task LogAnalyticsOwnerQuery_EscapedDeviceName_AnswersOwnersAsDynamicJson_AndJournalKeepsQuery()
    {
        const string deviceName = "PLC \"7\" \\ line";
        var raised = await RaiseFullAsync("plc-programming-mode", devices: [new { deviceName }]);
        var systemAlertId = (string)raised["triggerPayload"]!["object"]!["properties"]!["alerts"]![0]!["properties"]!["systemAlertId"]!;
        var escaped = deviceName.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);
        var query = $"SecurityAlert | summarize arg_max(TimeGenerated, *) by SystemAlertId | where SystemAlertId == \"{systemAlertId}\" "
            + $"| mv-expand Entity = parse_json(Entities) | where Entity.DeviceName == \"{escaped}\" | project DeviceName = Entity.DeviceName, Owners = Entity.Owners";

        var response = await SendAsync(HttpMethod.Post, LogAnalyticsUrl(), LogAnalyticsToken(), new { query, timespan = "P30D" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var table = (await response.Content.ReadFromJsonAsync<JsonObject>())!["tables"]![0]!;
        Assert.Equal("PrimaryResult", (string?)table["name"]);
        Assert.Equal(["DeviceName", "Owners", "Sensor", "Site", "Zone"], table["columns"]!.AsArray().Select(c => (string?)c!["name"]));
        Assert.Equal("dynamic", (string?)table["columns"]![1]!["type"]);
        var row = table["rows"]![0]!.AsArray();
        Assert.Equal(deviceName, (string?)row[0]);
        Assert.Equal("[\"klaus.schmidt@contoso.example\"]", (string?)row[1]);
        Assert.Equal("sensor-hh-line3", (string?)row[2]);
        var journaled = Assert.Single(_server.Journal.Requests("/loganalytics/"));
        Assert.Contains(JsonSerializer.Serialize(escaped)[1..^1], journaled.RequestBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LogAnalytics_QueryItDoesNotUnderstand_Returns400BadArgumentError()
    {
        var response = await SendAsync(HttpMethod.Post, LogAnalyticsUrl(), LogAnalyticsToken(), new { query = "Heartbeat | take 10" });

        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "BadArgumentError");
    }

    [Fact]
    public async Task LogAnalytics_ExposureWithoutLogAnalytics_ReturnsRowWithoutOwners()
    {
        var raised = await RaiseFullAsync("plc-programming-mode", ownerExposure: ["payload"]);
        var systemAlertId = (string)raised["triggerPayload"]!["object"]!["properties"]!["alerts"]![0]!["properties"]!["systemAlertId"]!;

        var response = await SendAsync(HttpMethod.Post, LogAnalyticsUrl(), LogAnalyticsToken(),
            new { query = $"SecurityAlert | where SystemAlertId == \"{systemAlertId}\" | where Entity.DeviceName == \"HH-PLC-LINE3-01\"" });

        var row = (await response.Content.ReadFromJsonAsync<JsonObject>())!["tables"]![0]!["rows"]![0]!.AsArray();
        Assert.Equal("HH-PLC-LINE3-01", (string?)row[0]);
        Assert.Null(row[1]);
    }

    // ---------- Graph ----------

    [Fact]
    public async Task GraphUser_ByUpnWithSelect_ReturnsOnlySelectedFields()
    {
        var user = await GetJsonAsync("graph/v1.0/users/klaus.schmidt@contoso.example?$select=id,mail,preferredLanguage", GraphToken());

        Assert.Equal("bbcfbdc4-8b2b-40c9-8642-823e8a73b9ba", (string?)user["id"]);
        Assert.Equal("de-DE", (string?)user["preferredLanguage"]);
        Assert.False(user.ContainsKey("displayName"));
    }

    [Fact]
    public async Task GraphUser_Unknown_Returns404RequestResourceNotFound()
    {
        var response = await SendAsync(HttpMethod.Get, "graph/v1.0/users/nobody@contoso.example", GraphToken());

        await AssertErrorAsync(response, HttpStatusCode.NotFound, "Request_ResourceNotFound");
    }

    [Fact]
    public async Task GraphManagerAndMailboxSettings_ReturnDirectoryData()
    {
        var manager = await GetJsonAsync("graph/v1.0/users/sophie.martin@contoso.example/manager", GraphToken());
        var settings = await GetJsonAsync("graph/v1.0/users/sophie.martin@contoso.example/mailboxSettings", GraphToken());

        Assert.Equal("claire.dubois@contoso.example", (string?)manager["userPrincipalName"]);
        Assert.Equal("Romance Standard Time", (string?)settings["timeZone"]);
    }

    [Fact]
    public async Task GraphSendMail_DeliversToRecipientMailboxAndSendersSentItems()
    {
        var response = await SendAsync(HttpMethod.Post, "graph/v1.0/users/iotownerbot@contoso.example/sendMail", GraphToken(), new
        {
            message = new
            {
                subject = "Action required: was this expected?",
                body = new { contentType = "HTML", content = "<html><body><p>Hello Klaus</p></body></html>" },
                toRecipients = new[] { new { emailAddress = new { address = "Klaus.Schmidt@contoso.example" } } },
                internetMessageHeaders = new[] { new { name = "x-iotownerbot-question", value = "q-1" } },
            },
            saveToSentItems = true,
        });

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var received = Assert.Single(_server.Outlook.MessagesFor("klaus.schmidt@contoso.example"));
        Assert.Equal("Action required: was this expected?", received.Subject);
        Assert.Equal("iotownerbot@contoso.example", received.From.Address);
        Assert.Contains("Hello Klaus", received.Body, StringComparison.Ordinal);
        Assert.Contains(received.InternetMessageHeaders, h => h.Name == "x-iotownerbot-question" && h.Value == "q-1");
        Assert.Single(_server.Outlook.GetMailbox("iotownerbot@contoso.example").SentItems);
        var viaAdmin = await GetJsonAsync("admin/mailboxes/klaus.schmidt@contoso.example");
        Assert.Equal("Action required: was this expected?", (string?)viaAdmin["messages"]![0]!["subject"]);
    }

    [Fact]
    public async Task GraphSendMail_ToUserWithoutMailbox_Returns400AndDeliversNothing()
    {
        var response = await SendAsync(HttpMethod.Post, "graph/v1.0/users/iotownerbot@contoso.example/sendMail", GraphToken(), new
        {
            message = new
            {
                subject = "s",
                body = new { contentType = "Text", content = "b" },
                toRecipients = new[]
                {
                    new { emailAddress = new { address = "emily.johnson@contoso.example" } },
                    new { emailAddress = new { address = "david.miller@contoso.example" } },
                },
            },
        });

        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "ErrorInvalidRecipients");
        Assert.Empty(_server.Outlook.MessagesFor("emily.johnson@contoso.example"));
    }

    [Fact]
    public async Task GraphSendMail_FromUserWhoseMailboxWasRemoved_Returns404MailboxNotEnabled()
    {
        var removed = await _http.PostAsJsonAsync("admin/users", new { userPrincipalName = "iotownerbot@contoso.example", mail = (string?)null });
        Assert.Equal(HttpStatusCode.OK, removed.StatusCode);

        var response = await SendAsync(HttpMethod.Post, "graph/v1.0/users/iotownerbot@contoso.example/sendMail", GraphToken(), new
        {
            message = new { subject = "s", toRecipients = new[] { new { emailAddress = new { address = "klaus.schmidt@contoso.example" } } } },
        });

        await AssertErrorAsync(response, HttpStatusCode.NotFound, "MailboxNotEnabledForRESTAPI");
        Assert.Equal("IoT Owner Bot", _server.Tenant.FindUser("iotownerbot@contoso.example")!.DisplayName);
    }

    // ---------- Faults ----------

    [Fact]
    public async Task Fault429_HitsOnlyTheFirstNMatchingRequests_WithRetryAfter()
    {
        var incident = await RaiseAsync("plc-programming-mode");
        var url = $"arm{_server.Workspace.IncidentId(incident)}/comments/c1?api-version={Stable}";
        var added = await _http.PostAsJsonAsync("admin/faults", new { method = "PUT", pathContains = "/comments/", status = 429, retryAfterSeconds = 1, times = 2 });
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        var body = new { properties = new { message = "m" } };

        var get = await SendAsync(HttpMethod.Get, $"arm{_server.Workspace.IncidentId(incident)}/comments?api-version={Stable}", ArmToken());
        var first = await SendAsync(HttpMethod.Put, url, ArmToken(), body);
        var second = await SendAsync(HttpMethod.Put, url, ArmToken(), body);
        var third = await SendAsync(HttpMethod.Put, url, ArmToken(), body);

        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        await AssertErrorAsync(first, (HttpStatusCode)429, "TooManyRequests");
        Assert.Equal(TimeSpan.FromSeconds(1), first.Headers.RetryAfter?.Delta);
        Assert.Equal((HttpStatusCode)429, second.StatusCode);
        Assert.Equal(HttpStatusCode.Created, third.StatusCode);
        var rule = Assert.Single(_server.Faults.Rules);
        Assert.Equal((0, 2), (rule.Remaining, rule.Hits));
        Assert.Equal([429, 429, 201], _server.Journal.Requests("/comments/c1").Select(r => r.Status));
    }

    [Fact]
    public async Task Fault409OnIncidentPut_AnswersWithSentinelConflictBody()
    {
        var incident = await RaiseAsync("plc-programming-mode");
        await _http.PostAsJsonAsync("admin/faults", new { method = "PUT", pathContains = incident, status = 409 });

        var response = await SendAsync(HttpMethod.Put, IncidentUrl(incident), ArmToken(), new { properties = new { title = "t", severity = "Low", status = "Active" } });

        var message = await AssertErrorAsync(response, HttpStatusCode.Conflict, "Conflict");
        Assert.StartsWith("Newer version of resource '/subscriptions/", message, StringComparison.Ordinal);
        Assert.Equal("New", _server.Sentinel.FindIncident(incident)!.Properties.Status);
    }

    [Fact]
    public async Task ActFirstFault_SendsTheMail_ThenAnswers503()
    {
        await _http.PostAsJsonAsync("admin/faults", new { method = "POST", pathContains = "/sendMail", status = 503, actFirst = true });

        var failed = await SendAsync(HttpMethod.Post, "graph/v1.0/users/iotownerbot@contoso.example/sendMail", GraphToken(), Mail("first"));
        var next = await SendAsync(HttpMethod.Post, "graph/v1.0/users/iotownerbot@contoso.example/sendMail", GraphToken(), Mail("second"));

        await AssertErrorAsync(failed, HttpStatusCode.ServiceUnavailable, "ServiceUnavailable");
        Assert.Equal(HttpStatusCode.Accepted, next.StatusCode);
        // The failed call was carried out all the same.
        Assert.Equal(["first", "second"], _server.Outlook.MessagesFor("klaus.schmidt@contoso.example").Select(m => m.Subject));
        Assert.Equal(2, _server.Outlook.GetMailbox("iotownerbot@contoso.example").SentItems.Count);
    }

    [Fact]
    public async Task ActFirstDropFault_WritesTheComment_ThenDropsTheConnection()
    {
        var incident = await RaiseAsync("plc-programming-mode");
        await _http.PostAsJsonAsync("admin/faults", new { method = "PUT", pathContains = "/comments/", drop = true, actFirst = true });
        var url = $"arm{_server.Workspace.IncidentId(incident)}/comments/c1?api-version={Stable}";

        await Assert.ThrowsAnyAsync<HttpRequestException>(() => SendAsync(HttpMethod.Put, url, ArmToken(), new { properties = new { message = "written" } }));

        Assert.Equal("written", Assert.Single(_server.Sentinel.CommentsOf(incident)).Properties.Message);
    }

    [Fact]
    public async Task DropFault_WithoutActFirst_DropsTheConnectionAndChangesNothing()
    {
        var incident = await RaiseAsync("plc-programming-mode");
        await _http.PostAsJsonAsync("admin/faults", new { method = "PUT", pathContains = "/comments/", drop = true });
        var url = $"arm{_server.Workspace.IncidentId(incident)}/comments/c1?api-version={Stable}";

        await Assert.ThrowsAnyAsync<HttpRequestException>(() => SendAsync(HttpMethod.Put, url, ArmToken(), new { properties = new { message = "lost" } }));

        Assert.Empty(_server.Sentinel.CommentsOf(incident));
    }

    [Fact]
    public async Task ActFirstFault_OnIncidentPut_AppliesTheChange_ThenAnswers500()
    {
        var incident = await RaiseAsync("plc-programming-mode");
        await _http.PostAsJsonAsync("admin/faults", new { method = "PUT", pathContains = incident, status = 500, actFirst = true });

        var response = await SendAsync(HttpMethod.Put, IncidentUrl(incident), ArmToken(), new { properties = new { title = "t", severity = "Low", status = "Active" } });

        await AssertErrorAsync(response, HttpStatusCode.InternalServerError, "InternalServerError");
        Assert.Equal("Active", _server.Sentinel.FindIncident(incident)!.Properties.Status);
    }

    [Fact]
    public async Task FaultWithStatusAndDrop_IsRefused()
    {
        var response = await _http.PostAsJsonAsync("admin/faults", new { pathContains = "/graph/", status = 503, drop = true });

        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "BadRequest");
        Assert.Empty(_server.Faults.Rules);
    }

    private static object Mail(string subject) => new
    {
        message = new
        {
            subject,
            body = new { contentType = "HTML", content = "<html><body><p>Hello Klaus</p></body></html>" },
            toRecipients = new[] { new { emailAddress = new { address = "klaus.schmidt@contoso.example" } } },
        },
        saveToSentItems = true,
    };

    // ---------- Teams: reading a chat ----------

    [Fact]
    public async Task BotConnector_CannotListActivities_Like_Teams()
    {
        var (conversationId, _) = await ChatWithPostsAsync(1);

        var response = await SendAsync(HttpMethod.Get, $"teams/v3/conversations/{Uri.EscapeDataString(conversationId)}/activities", BotToken());

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Contains("does not support http method 'GET'", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GraphChatMessages_ListTheBotsPostsNewestFirst_InPagesWithNextLink_CardsAsJsonText()
    {
        var (_, userId) = await ChatWithPostsAsync(3);
        var installations = await GetJsonAsync($"graph/v1.0/users/{userId}/teamwork/installedApps", GraphToken(GraphRoles));
        var installationId = (string)installations["value"]![0]!["id"]!;
        var chat = await GetJsonAsync($"graph/v1.0/users/{userId}/teamwork/installedApps/{installationId}/chat", GraphToken(GraphRoles));
        var chatId = (string)chat["id"]!;
        Assert.StartsWith("19:", chatId, StringComparison.Ordinal);
        Assert.Equal("oneOnOne", (string?)chat["chatType"]);

        var first = await GetJsonAsync($"graph/v1.0/chats/{Uri.EscapeDataString(chatId)}/messages?$top=2&$orderby=createdDateTime desc", GraphToken(GraphRoles));
        var next = (string)first["@odata.nextLink"]!;
        var second = await GetJsonAsync(next.Replace(_server.Base, "", StringComparison.Ordinal), GraphToken(GraphRoles));

        var markers = first["value"]!.AsArray().Concat(second["value"]!.AsArray())
            .Select(m => (string)JsonNode.Parse((string)m!["attachments"]![0]!["content"]!)!["body"]![0]!["text"]!).ToList();
        Assert.Equal(["card 3", "card 2", "card 1"], markers);
        Assert.Null(second["@odata.nextLink"]);
        var message = first["value"]![0]!;
        Assert.Equal("bot", (string?)message["from"]!["application"]!["applicationIdentityType"]);
        Assert.Equal("application/vnd.microsoft.card.adaptive", (string?)message["attachments"]![0]!["contentType"]);
        Assert.Contains("<attachment id=", (string?)message["body"]!["content"], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("$top=51", 400)]
    [InlineData("$orderby=createdDateTime asc", 400)]
    [InlineData("", 403)]
    public async Task GraphChatMessages_RefusesWhatGraphRefuses(string query, int status)
    {
        var (_, userId) = await ChatWithPostsAsync(1);
        var chatId = _server.Teams.GraphChatId(userId);
        var token = status == 403 ? GraphToken(["TeamsAppInstallation.ReadWriteSelfForUser.All"]) : GraphToken(GraphRoles);

        var response = await SendAsync(HttpMethod.Get, $"graph/v1.0/chats/{Uri.EscapeDataString(chatId)}/messages?{query}", token);

        Assert.Equal((HttpStatusCode)status, response.StatusCode);
    }

    [Fact]
    public async Task ActFirstFault_OnBotConnectorPost_PostsTheMessage_ThenAnswers502()
    {
        var (conversationId, userId) = await ChatWithPostsAsync(0);
        await _http.PostAsJsonAsync("admin/faults", new { method = "POST", pathContains = "/activities", status = 502, actFirst = true });

        var response = await SendAsync(HttpMethod.Post, $"teams/v3/conversations/{Uri.EscapeDataString(conversationId)}/activities", BotToken(), Card("lost answer"));

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Single(_server.Teams.ChatOf(userId)!.Messages);
    }

    private static readonly string[] GraphRoles = ["TeamsAppInstallation.ReadWriteSelfForUser.All", "Chat.Read.All"];

    /// <summary>Klaus with the app installed, the bot's 1:1 chat with him, and <paramref name="posts"/> cards in it.</summary>
    private async Task<(string ConversationId, string UserId)> ChatWithPostsAsync(int posts)
    {
        var userId = _server.Tenant.FindUser("klaus.schmidt@contoso.example")!.Id;
        _server.Teams.Install(userId, out _);
        var created = await SendAsync(HttpMethod.Post, "teams/v3/conversations", BotToken(), new
        {
            isGroup = false, tenantId = _server.TenantId, members = new[] { new { id = userId } },
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var conversationId = (string)(await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!;
        for (var i = 1; i <= posts; i++)
        {
            var posted = await SendAsync(HttpMethod.Post, $"teams/v3/conversations/{Uri.EscapeDataString(conversationId)}/activities", BotToken(), Card($"card {i}"));
            Assert.Equal(HttpStatusCode.Created, posted.StatusCode);
        }
        return (conversationId, userId);
    }

    private static object Card(string text) => new
    {
        type = "message",
        attachments = new[]
        {
            new { contentType = "application/vnd.microsoft.card.adaptive", content = new { type = "AdaptiveCard", version = "1.5", body = new[] { new { type = "TextBlock", text } } } },
        },
    };

    private string BotToken() => _server.MintToken(new TokenRequest { Audience = _server.BotScope.Replace("/.default", "", StringComparison.Ordinal) });

    private string GraphToken(IReadOnlyList<string> roles) => _server.MintToken(new TokenRequest { Audience = _server.GraphEndpoint, Roles = roles });

    // ---------- Admin ----------

    [Fact]
    public async Task AdminRaiseIncident_ReturnsTriggerPayloadInSentinelAutomationShape()
    {
        var raised = await RaiseFullAsync("controllogix-firmware-push");

        var payload = raised["triggerPayload"]!.AsObject();
        Assert.True(Guid.TryParse((string?)payload["eventUniqueId"], out _));
        Assert.Equal("Incident", (string?)payload["objectSchemaType"]);
        Assert.Equal("Create", (string?)payload["objectEventType"]);
        Assert.Equal(_server.Workspace.WorkspaceId, (string?)payload["workspaceId"]);
        Assert.Equal(_server.Workspace.SubscriptionId, (string?)payload["workspaceInfo"]!["SubscriptionId"]);
        Assert.Equal(_server.Workspace.WorkspaceName, (string?)payload["workspaceInfo"]!["WorkspaceName"]);
        var incident = payload["object"]!;
        Assert.EndsWith($"/providers/Microsoft.SecurityInsights/Incidents/{(string?)incident["name"]}", (string?)incident["id"], StringComparison.Ordinal);
        Assert.StartsWith("\"", (string?)incident["etag"], StringComparison.Ordinal);
        var properties = incident["properties"]!;
        var alert = properties["alerts"]![0]!;
        Assert.Equal("Microsoft Defender for IoT", (string?)alert["properties"]!["productName"]);
        Assert.Equal((string?)alert["name"], (string?)alert["properties"]!["systemAlertId"]);
        var devices = properties["relatedEntities"]!.AsArray().Where(e => (string?)e!["kind"] == "IoTDevice").ToList();
        Assert.Equal(2, devices.Count);
        var owners = devices.SelectMany(d => d!["properties"]!["owners"]!.AsArray().Select(o => (string?)o)).Distinct().Order().ToList();
        Assert.Equal(["camille.petit@contoso.example", "luc.bernard@contoso.example", "sophie.martin@contoso.example"], owners);
        Assert.Contains(properties["relatedEntities"]!.AsArray(), e => (string?)e!["kind"] == "Ip");
        Assert.Empty(properties["comments"]!.AsArray());
    }

    [Fact]
    public async Task AdminRaiseIncident_WithoutPayloadExposure_LeavesOwnersOutOfRelatedEntities()
    {
        var raised = await RaiseFullAsync("plc-programming-mode", ownerExposure: ["entitiesApi"]);

        var device = raised["triggerPayload"]!["object"]!["properties"]!["relatedEntities"]!.AsArray().Single(e => (string?)e!["kind"] == "IoTDevice")!;
        Assert.Null(device["properties"]!["owners"]);
        Assert.Equal("sensor-hh-line3", (string?)device["properties"]!["sensor"]);
    }

    [Fact]
    public async Task AdminRaiseIncident_UnknownSample_Returns404()
    {
        var response = await _http.PostAsJsonAsync("admin/incidents", new { sample = "no-such-sample" });

        await AssertErrorAsync(response, HttpStatusCode.NotFound, "SampleNotFound");
    }

    [Fact]
    public async Task AdminReset_ClearsIncidentsMailFaultsAndJournal()
    {
        await RaiseAsync("plc-programming-mode");
        await _http.PostAsJsonAsync("admin/faults", new { pathContains = "/graph/", status = 503, times = 5 });
        await SendAsync(HttpMethod.Get, "graph/v1.0/users/klaus.schmidt@contoso.example", GraphToken());

        var reset = await _http.PostAsync("admin/reset", content: null);

        Assert.Equal(HttpStatusCode.NoContent, reset.StatusCode);
        Assert.Empty(_server.Sentinel.Incidents);
        Assert.Empty(_server.Faults.Rules);
        Assert.Empty(_server.Journal.Requests());
        Assert.Equal(7, (await GetJsonAsync<JsonArray>("admin/samples")).Count);
    }

    // ---------- helpers ----------

    private string ArmToken() => _server.MintToken(new TokenRequest { Audience = _server.ArmEndpoint });

    private string GraphToken() => _server.MintToken(new TokenRequest { Audience = _server.GraphEndpoint });

    private string LogAnalyticsToken() => _server.MintToken(new TokenRequest { Audience = _server.LogAnalyticsEndpoint });

    private string IncidentUrl(string name) => $"arm{_server.Workspace.IncidentId(name)}?api-version={Stable}";

    private string LogAnalyticsUrl() => $"loganalytics/v1/workspaces/{_server.Workspace.WorkspaceId}/query";

    private async Task<string> RaiseAsync(string sample, string[]? ownerExposure = null) =>
        (string)(await RaiseFullAsync(sample, ownerExposure))["incident"]!["name"]!;

    private async Task<JsonObject> RaiseFullAsync(string sample, string[]? ownerExposure = null, object[]? devices = null)
    {
        var response = await _http.PostAsJsonAsync("admin/incidents", new { sample, ownerExposure, devices });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string url, string? token, object? body = null)
    {
        using var request = new HttpRequestMessage(method, url);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, options: Json);
        }
        return await _http.SendAsync(request);
    }

    private Task<JsonObject> GetJsonAsync(string url, string? token = null) => GetJsonAsync<JsonObject>(url, token ?? (url.StartsWith("arm", StringComparison.Ordinal) || url.Contains("/arm/", StringComparison.Ordinal) ? ArmToken() : null));

    private async Task<T> GetJsonAsync<T>(string url, string? token = null)
    {
        var response = await SendAsync(HttpMethod.Get, url, token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<T>(Json))!;
    }

    private async Task<JsonObject> PostJsonAsync(string url)
    {
        var response = await SendAsync(HttpMethod.Post, url, ArmToken());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    private static JsonObject IoTDevice(JsonObject entityList) =>
        entityList["entities"]!.AsArray().Single(e => (string?)e!["kind"] == "IoTDevice")!["properties"]!.AsObject();

    /// <summary>Asserts status and the <c>{"error":{"code","message"}}</c> envelope; returns the message.</summary>
    private static async Task<string> AssertErrorAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        Assert.Equal(status, response.StatusCode);
        var error = (await response.Content.ReadFromJsonAsync<JsonObject>())!["error"]!;
        Assert.Equal(code, (string?)error["code"]);
        return (string)error["message"]!;
    }
}
