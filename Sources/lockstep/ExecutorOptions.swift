import ArgumentParser
import Execution

/// `--policy adaptive|parallel`, the one policy vocabulary of every command.
extension BlockSTMExecutor.ParallelPolicy: ExpressibleByArgument {}
import Harness
import Vectors

/// A single built-in executor by name (`t8n --executor`); lists go through `ExecutorSpec.parse`.
extension BlockRunner.Executor: ExpressibleByArgument {}
