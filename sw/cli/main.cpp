// sta: command-line front end of the project.
#include <CLI/CLI.hpp>

#include <exception>
#include <iostream>

namespace sta::cli {
void register_gemm_command(CLI::App& app);      // cmd_gemm.cpp
void register_op_command(CLI::App& app);        // cmd_op.cpp
void register_attention_command(CLI::App& app); // cmd_attention.cpp
void register_bench_command(CLI::App& app);     // cmd_bench.cpp
void register_run_command(CLI::App& app);       // cmd_run.cpp
void register_train_commands(CLI::App& app);    // cmd_prune.cpp (prune, compress)
}  // namespace sta::cli

int main(int argc, char** argv) {
  CLI::App app{"sta: N:M sparse Transformer accelerator toolkit (simulate, prune, compress)"};
  app.require_subcommand(1);
  sta::cli::register_gemm_command(app);
  sta::cli::register_op_command(app);
  sta::cli::register_attention_command(app);
  sta::cli::register_run_command(app);
  sta::cli::register_bench_command(app);
  sta::cli::register_train_commands(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::RuntimeError& e) {
    return e.get_exit_code();  // a command's own exit code (1 bad input, 2 mismatch, 3 hardware error)
  } catch (const CLI::ParseError& e) {
    // --help prints and exits 0; every other command-line error is bad input.
    const int rc = app.exit(e);
    return rc == 0 ? 0 : 1;
  } catch (const std::exception& e) {
    std::cerr << "sta: error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
