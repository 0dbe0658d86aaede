// tfport: command-line entry point.
#include <CLI/CLI.hpp>

#include "cli/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"tfport: TensorFlow model files without TensorFlow"};
  app.require_subcommand(1);
  int exit_code = 0;
  tfport::cli::AddInspectCommand(app, &exit_code);
  tfport::cli::AddRunCommand(app, &exit_code);
  tfport::cli::AddFreezeCommand(app, &exit_code);
  tfport::cli::AddCkptCommand(app, &exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  return exit_code;
}
