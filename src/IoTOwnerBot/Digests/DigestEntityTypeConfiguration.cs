using IoTOwnerBot.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace IoTOwnerBot.Digests;

internal sealed class DigestEntityTypeConfiguration : IEntityTypeConfiguration<Digest>
{
    public void Configure(EntityTypeBuilder<Digest> builder)
    {
        builder.ToTable("digests");
        builder.HasKey(x => x.Id);
        builder.Property(x => x.Channel).HasMaxLength(16);
        builder.Property(x => x.RecipientKey).HasMaxLength(320);
        builder.Property(x => x.ShowsState).HasMaxLength(512);
        builder.Property(x => x.CardVersions).HasConversion(JsonColumn.Converter<Dictionary<string, string>>(), JsonColumn.Comparer<Dictionary<string, string>>());
        builder.HasMany(x => x.Items).WithOne().HasForeignKey(x => x.DigestId).OnDelete(DeleteBehavior.Cascade);
    }
}
