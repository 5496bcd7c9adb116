#!/bin/bash
set -e
rm -rf /tmp/qs && git clone -q /work/main /tmp/qs && cd /tmp/qs && git log --oneline | head -1
t0=$(date +%s.%N); pip install -q -e . > /tmp/qs_pip.log 2>&1; t1=$(date +%s.%N)
python tools/train.py configs/mlic/mlic_singleglyphs-pre_multiglyphs-tuned-10e.py --work-dir work_dirs/mlic_quickstart > /tmp/qs_mlic_train.log 2>&1; t2=$(date +%s.%N)
python tools/test.py configs/mlic/mlic_singleglyphs-pre_multiglyphs-tuned-10e.py work_dirs/mlic_quickstart/epoch_10.pth > /tmp/qs_mlic_test.log 2>&1; t3=$(date +%s.%N)
python tools/train.py configs/baseline/resnet18_gap_linear_singleglyphs-pre_multiglyphs-tuned-10e.py --work-dir work_dirs/base_quickstart > /tmp/qs_base_train.log 2>&1; t4=$(date +%s.%N)
python tools/test.py configs/baseline/resnet18_gap_linear_singleglyphs-pre_multiglyphs-tuned-10e.py work_dirs/base_quickstart/epoch_10.pth > /tmp/qs_base_test.log 2>&1; t5=$(date +%s.%N)
echo "pip $(echo "$t1-$t0"|bc) mlic train $(echo "$t2-$t1"|bc) test $(echo "$t3-$t2"|bc) baseline train $(echo "$t4-$t3"|bc) test $(echo "$t5-$t4"|bc)" | tee /tmp/qs_wall_times.txt
