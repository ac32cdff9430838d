using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace IoTOwnerBot.SocChannel;

internal sealed class SocThreadEntityTypeConfiguration : IEntityTypeConfiguration<SocThread>
{
    public void Configure(EntityTypeBuilder<SocThread> builder)
    {
        builder.ToTable("soc_threads");
        builder.HasKey(x => x.IncidentKey);
        builder.Property(x => x.IncidentKey).HasMaxLength(512);
        builder.Property(x => x.RootShows).HasMaxLength(80);
    }
}
