using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace IoTOwnerBot.Incidents;

internal sealed class PollerCheckpointEntityTypeConfiguration : IEntityTypeConfiguration<PollerCheckpoint>
{
    public void Configure(EntityTypeBuilder<PollerCheckpoint> builder)
    {
        builder.ToTable("poller_checkpoints");
        builder.HasKey(x => x.WorkspaceKey);
    }
}
