using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace IoTOwnerBot.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class WorkEffects : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "EffectStartedAt",
                table: "work_items",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "EffectText",
                table: "work_items",
                type: "TEXT",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "EffectStartedAt",
                table: "work_items");

            migrationBuilder.DropColumn(
                name: "EffectText",
                table: "work_items");
        }
    }
}
