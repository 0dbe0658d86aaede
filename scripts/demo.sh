#!/usr/bin/env bash
# The end-to-end demo: the persistence workflows of the project brief, run
# in a fresh temporary directory with the binaries of build directory $1.
set -euo pipefail
BUILD=$(cd "${1:-build}" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

echo "== Workflow 1: Saver checkpoints (examples/saver.cpp)"
echo "-- first run: nothing to restore, initialize, save"
"$BUILD/saver"
echo "-- second run: import_meta_graph + restore in a fresh process"
"$BUILD/saver"
echo
echo "== tfport inspect ./model"
"$BUILD/tfport" inspect ./model
echo
echo "== tfport run ./model/model_save.meta --restore ./model/model_save --input input_x=5 --input input_y=5 --output sum"
"$BUILD/tfport" run ./model/model_save.meta --restore ./model/model_save \
  --input input_x=5 --input input_y=5 --output sum

echo
echo "== Workflow 2: freeze to one portable .pb (examples/freeze.cpp)"
"$BUILD/freeze"
echo
echo "== tfport freeze ./model/model_save.meta + ./model -> ./frozen/seed.pb, then tfport run"
"$BUILD/tfport" freeze --input_meta_graph ./model/model_save.meta --input_checkpoint ./model \
  --output_node_names sum --optimize --output ./frozen/seed.pb
"$BUILD/tfport" run ./frozen/seed.pb --input input_x=5 --input input_y=5 --output sum

echo
echo "== Workflow 3: SavedModel (examples/saved_model.cpp)"
echo "-- first run: build the graph, SavedModelBuilder -> ./test/savemodel"
"$BUILD/saved_model"
echo "-- second run: load by tag in a fresh process, initializer, operations, sum"
"$BUILD/saved_model"
echo
echo "== tfport inspect ./test/savemodel"
"$BUILD/tfport" inspect ./test/savemodel
echo
echo "== tfport run --dir ./test/savemodel --input_exprs 'x=5;y=5'"
"$BUILD/tfport" run --dir ./test/savemodel --input_exprs 'x=5;y=5'

echo
echo "== TF2 training checkpoints: tf.train.Checkpoint + CheckpointManager (examples/tf2_checkpoint.cpp)"
echo "-- first run: initialize, train, save ckpt-1 and ckpt-2"
"$BUILD/tf2_checkpoint"
echo "-- second run: restore the latest by object path, train on, save ckpt-3 and ckpt-4 (max_to_keep=2)"
"$BUILD/tf2_checkpoint"
echo "-- ./tf_ckpts/checkpoint, as CheckpointManager writes it:"
cat ./tf_ckpts/checkpoint
echo "-- tfport inspect ./tf_ckpts"
"$BUILD/tfport" inspect ./tf_ckpts

# TF2 / Keras SavedModels written by TensorFlow itself (fixtures of the
# shared tree; skipped when they are not there).
FIXTURES="$BUILD/../../shared/fixtures"
if [ -d "$FIXTURES/tfnet_keras_lstm_from_sequential" ]; then
  echo
  echo "== TF2 SavedModels written by TensorFlow: tfport run --dir"
  echo "-- half_plus_two (TF 2.14, StatefulPartitionedCall): y = 0.5 x + 2 on x = 3"
  "$BUILD/tfport" run --dir "$FIXTURES/serving_saved_model_half_plus_two_tf2_cpu/00000123" \
    --input_exprs 'x=[3.0]'
  echo "-- Keras LSTM (TF 2.12, StatelessWhile over TensorLists) on one 5x3 sequence"
  "$BUILD/tfport" run --dir "$FIXTURES/tfnet_keras_lstm_from_sequential" \
    --input_exprs 'input_1=[[[1,2,3],[1,2,3],[1,2,3],[1,2,3],[1,2,3]]]'
  echo "-- the same LSTM frozen with its loop lowered to TF1 control flow, then run"
  "$BUILD/tfport" freeze --saved_model_dir "$FIXTURES/tfnet_keras_lstm_from_sequential" \
    --lower_control_flow --quiet --output ./frozen/lstm.pb
  "$BUILD/tfport" run ./frozen/lstm.pb --output StatefulPartitionedCall:0 \
    --input 'serving_default_input_1:0=[[[1,2,3],[1,2,3],[1,2,3],[1,2,3],[1,2,3]]]'
else
  echo
  echo "(TF2 SavedModel fixtures not found under $FIXTURES: TF2 part of the demo skipped)"
fi
