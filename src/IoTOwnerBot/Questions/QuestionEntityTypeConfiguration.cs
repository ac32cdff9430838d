using IoTOwnerBot.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace IoTOwnerBot.Questions;

internal sealed class QuestionEntityTypeConfiguration : IEntityTypeConfiguration<Question>
{
    public void Configure(EntityTypeBuilder<Question> builder)
    {
        builder.ToTable("questions");
        builder.HasKey(x => x.Id);
        builder.HasIndex(x => new { x.IncidentKey, x.Round }).IsUnique();
        builder.HasIndex(x => x.State);
        builder.Property(x => x.IncidentKey).HasMaxLength(512);
        builder.Property(x => x.State).HasConversion<string>().HasMaxLength(16);
        builder.Property(x => x.Answer).HasConversion<string>().HasMaxLength(16);
        builder.Property(x => x.AnsweredByObjectId).HasMaxLength(64);
        builder.Property(x => x.CardVersions).HasConversion(JsonColumn.Converter<Dictionary<string, string>>(), JsonColumn.Comparer<Dictionary<string, string>>());
        builder.Property(x => x.Version).IsConcurrencyToken();
        builder.HasMany(x => x.Devices).WithOne().HasForeignKey(x => x.QuestionId).OnDelete(DeleteBehavior.Cascade);
        builder.HasMany(x => x.Recipients).WithOne().HasForeignKey(x => x.QuestionId).OnDelete(DeleteBehavior.Cascade);
        builder.HasMany(x => x.Timeline).WithOne().HasForeignKey(x => x.QuestionId).OnDelete(DeleteBehavior.Cascade);
    }
}
