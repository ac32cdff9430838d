using System.ComponentModel.DataAnnotations;

namespace IoTOwnerBot.Persistence;

public enum StorageProvider { Sqlite }

public sealed class StorageOptions
{
    public const string SectionName = "Storage";

    public StorageProvider Provider { get; set; } = StorageProvider.Sqlite;

    /// <summary>SQLite: a file path in a data source; relative paths are under the working directory.</summary>
    [Required] public string ConnectionString { get; set; } = "Data Source=iotownerbot.db";
}
