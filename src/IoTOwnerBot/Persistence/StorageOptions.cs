using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace IoTOwnerBot.Persistence;

public enum StorageProvider { Sqlite, PostgreSql }

/// <summary>How the service signs in to PostgreSQL.</summary>
public enum StorageAuthentication
{
    /// <summary>Whatever the connection string says (a password, or none for a trusted local server).</summary>
    ConnectionString,
    /// <summary>Microsoft Entra ID: the service's credential (managed identity in Azure) obtains a token that is the password.</summary>
    Entra,
}

public sealed class StorageOptions
{
    public const string SectionName = "Storage";

    public StorageProvider Provider { get; set; } = StorageProvider.Sqlite;

    /// <summary>
    /// SQLite: a file path in a data source; relative paths are under the working directory.
    /// PostgreSQL: an Npgsql connection string (Host, Port, Database, Username; Password unless Entra signs in).
    /// </summary>
    [Required] public string ConnectionString { get; set; } = "Data Source=iotownerbot.db";

    /// <summary>PostgreSQL only. <see cref="StorageAuthentication.Entra"/> for Azure Database for PostgreSQL without a secret.</summary>
    public StorageAuthentication Authentication { get; set; } = StorageAuthentication.ConnectionString;

    /// <summary>The token audience of Azure Database for PostgreSQL (another value only in a sovereign cloud).</summary>
    [Required] public string EntraScope { get; set; } = "https://ossrdbms-aad.database.windows.net/.default";

    /// <summary>
    /// How often a fresh token is fetched for new connections. Entra tokens live an hour or more and Azure.Identity
    /// hands out its cached token until shortly before expiry, so a few minutes keeps every new connection valid.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:10", "00:30:00")] public TimeSpan EntraTokenRefresh { get; set; } = TimeSpan.FromMinutes(5);
}

internal sealed class StorageOptionsValidator : IValidateOptions<StorageOptions>
{
    public ValidateOptionsResult Validate(string? name, StorageOptions options)
    {
        if (options.Provider == StorageProvider.Sqlite && options.Authentication != StorageAuthentication.ConnectionString)
            return ValidateOptionsResult.Fail("Storage:Authentication: Entra sign-in is for PostgreSQL; SQLite has no server to sign in to.");
        if (options.Provider != StorageProvider.PostgreSql) return ValidateOptionsResult.Success;

        Npgsql.NpgsqlConnectionStringBuilder csb;
        try
        {
            csb = new Npgsql.NpgsqlConnectionStringBuilder(options.ConnectionString);
        }
        catch (ArgumentException ex)
        {
            return ValidateOptionsResult.Fail($"Storage:ConnectionString is not a PostgreSQL connection string: {ex.Message}");
        }
        if (string.IsNullOrWhiteSpace(csb.Host))
            return ValidateOptionsResult.Fail("Storage:ConnectionString: PostgreSQL needs Host=…");
        if (string.IsNullOrWhiteSpace(csb.Database))
            return ValidateOptionsResult.Fail("Storage:ConnectionString: PostgreSQL needs Database=…");
        if (options.Authentication == StorageAuthentication.Entra)
        {
            if (string.IsNullOrWhiteSpace(csb.Username))
                return ValidateOptionsResult.Fail("Storage:ConnectionString: Entra sign-in needs Username= (the PostgreSQL role of the managed identity).");
            if (!string.IsNullOrEmpty(csb.Password))
                return ValidateOptionsResult.Fail("Storage:ConnectionString: with Storage:Authentication Entra the token is the password; remove Password=.");
        }
        return ValidateOptionsResult.Success;
    }
}
