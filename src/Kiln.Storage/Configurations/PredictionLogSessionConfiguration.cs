using Kiln.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Kiln.Storage.Configurations;

internal sealed class PredictionLogSessionConfiguration : IEntityTypeConfiguration<PredictionLogSessionEntity>
{
    public void Configure(EntityTypeBuilder<PredictionLogSessionEntity> builder)
    {
        builder.ToTable("prediction_log_sessions");
        builder.HasKey(s => s.Id);
        builder.Property(s => s.Id).HasMaxLength(32);
        builder.Property(s => s.Replica).HasMaxLength(64);
        builder.HasIndex(s => new { s.EndedAt, s.CheckpointAt });
    }
}
