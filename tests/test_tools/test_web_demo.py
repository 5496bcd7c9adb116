"""demo/web_demo.py in a real browser (the system's headless Chromium):
a model trained here, a generated image uploaded, the labels and scores
read from the page and compared with demo/image_demo.py's, a corrupt upload
then a good one, the attention and graph images fetched and not blank, and
nothing left behind when the server stops."""
import json
import os
import os.path as osp
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import cv2
import numpy as np
import pytest
from mmengine.config import Config

from mlic.registry import RUNNERS
from mlic.testing.browser import find_browser, headless_chromium
from .helpers import REPO_ROOT

DEMO_IMAGE = osp.join(REPO_ROOT, 'demo', 'multiglyphs_demo.png')


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def train_tiny_mlic(work_dir, data_root):
    """One epoch of MLIC on 32 MultiGlyphs scenes; (config, checkpoint)
    as the runner wrote them."""
    cfg = Config.fromfile(
        osp.join(REPO_ROOT, 'configs', 'mlic', 'mlic_multiglyphs.py'))
    cfg.work_dir = str(work_dir)
    cfg.train_cfg = dict(by_epoch=True, max_epochs=1, val_interval=10)
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        cfg[loader].dataset.update(
            data_root=str(data_root), num_train=32, num_test=8, seed=0)
        cfg[loader].update(
            batch_size=8, num_workers=0, persistent_workers=False)
    RUNNERS.build(cfg).train()
    return (osp.join(work_dir,
                     'mlic_multiglyphs.py'), osp.join(work_dir, 'epoch_1.pth'))


def wait_for(driver, selector, timeout=120):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait
    WebDriverWait(
        driver,
        timeout).until(lambda d: d.find_elements(By.CSS_SELECTOR, selector))
    return driver.find_element(By.CSS_SELECTOR, selector)


def upload(driver, url, path):
    from selenium.webdriver.common.by import By
    driver.get(url)
    wait_for(driver, 'input[type=file]', 60)
    driver.find_element(By.CSS_SELECTOR, 'input[type=file]').send_keys(path)


def fetched_image(src):
    with urllib.request.urlopen(src, timeout=30) as response:
        data = np.frombuffer(response.read(), np.uint8)
    return cv2.imdecode(data, cv2.IMREAD_COLOR)


@pytest.fixture(scope='module')
def served(tmp_path_factory):
    """The web demo serving a model trained here; yields (url, config,
    checkpoint, sandbox, temp root, server log path)."""
    browser, driver = find_browser()
    if not browser or not driver:
        pytest.skip(f'no browser: Chromium {browser}, ChromeDriver '
                    f'{driver}; .ci/run installs Debian\'s chromium and '
                    'chromium-driver')
    base = tmp_path_factory.mktemp('web_demo')
    config, checkpoint = train_tiny_mlic(base / 'work', base / 'data')
    sandbox, temp_root = base / 'cwd', base / 'tmp'
    sandbox.mkdir()
    temp_root.mkdir()
    port = free_port()
    log_path = base / 'server.log'
    log = open(log_path, 'w')
    env = dict(os.environ, TMPDIR=str(temp_root), PYTHONUNBUFFERED='1')
    proc = subprocess.Popen([
        sys.executable,
        osp.join(REPO_ROOT, 'demo', 'web_demo.py'), config, checkpoint,
        '--port',
        str(port), '--device', 'cpu'
    ],
                            cwd=str(sandbox),
                            env=env,
                            stdout=log,
                            stderr=subprocess.STDOUT)
    url = f'http://127.0.0.1:{port}/'
    deadline = time.time() + 120
    while 'Running on local URL' not in log_path.read_text():
        assert proc.poll() is None, log_path.read_text()
        assert time.time() < deadline, log_path.read_text()
        time.sleep(0.5)
    yield dict(
        url=url,
        config=config,
        checkpoint=checkpoint,
        sandbox=sandbox,
        temp_root=temp_root,
        log=log_path,
        proc=proc)
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
    log.close()


def test_the_page_shows_image_demos_labels_and_scores(served, tmp_path):
    # bound to this machine only
    log = served['log'].read_text()
    assert 'Running on local URL:  http://127.0.0.1:' in log
    # the training labels' co-occurrence was read before serving (the
    # tiny training set's folder exists), not in the first request
    reading = log.index("reading the training labels' co-occurrence")
    assert reading < log.index('serving ')
    assert 'not available' not in log
    from selenium.webdriver.common.by import By
    driver = headless_chromium()
    try:
        upload(driver, served['url'], DEMO_IMAGE)
        predicted = wait_for(driver, '#mlic-predicted').text
        rows = driver.find_elements(By.CSS_SELECTOR, 'tr.mlic-score')
        page = [(r.get_attribute('data-label'), r.get_attribute('data-score'))
                for r in rows]
        shown = [
            r.get_attribute('data-label') for r in rows
            if 'mlic-predicted' in r.get_attribute('class')
        ]
        maps = driver.find_elements(By.CSS_SELECTOR, '#mlic-maps img')
        map_images = [fetched_image(m.get_attribute('src')) for m in maps]
        graph = wait_for(driver, '#mlic-graph img')
        graph_image = fetched_image(graph.get_attribute('src'))
        timing = driver.find_element(By.CSS_SELECTOR, '#mlic-timing').text
        driver.save_screenshot(str(tmp_path / 'page.png'))
    finally:
        driver.quit()

    out = tmp_path / 'preds.jsonl'
    done = subprocess.run([
        sys.executable,
        osp.join(REPO_ROOT, 'demo', 'image_demo.py'), DEMO_IMAGE,
        served['config'], '--checkpoint', served['checkpoint'], '--out',
        str(out), '--device', 'cpu'
    ],
                          capture_output=True,
                          text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    expected = json.loads(out.read_text().splitlines()[0])
    scores = expected['scores']
    assert len(page) == len(scores) == 30
    # every label, best first, to 4 decimals
    assert {
        label: score
        for label, score in page
    } == {
        label: f'{score:.4f}'
        for label, score in scores.items()
    }
    assert [float(s) for _, s in page] == sorted((float(s) for _, s in page),
                                                 reverse=True)
    assert shown == expected['labels']
    for label in expected['labels']:
        assert f'{label} ({scores[label]:.4f})' in predicted
    assert len(map_images) == 4
    for img in map_images + [graph_image]:
        assert img is not None and img.std() > 0
    assert re.search(r'total [\d.]+ ms', timing)


def test_a_corrupt_upload_shows_an_error_and_the_next_upload_works(
        served, tmp_path):
    corrupt = tmp_path / 'corrupt.png'
    corrupt.write_bytes(open(DEMO_IMAGE, 'rb').read()[:200])
    empty = tmp_path / 'empty.png'
    empty.write_bytes(b'')
    driver = headless_chromium()
    try:
        for bad in (corrupt, empty):
            upload(driver, served['url'], str(bad))
            error = wait_for(driver, '#mlic-error').text
            assert error.startswith(f'{bad.name}: '), error
            assert len(error) > len(bad.name) + 10
        upload(driver, served['url'], DEMO_IMAGE)
        assert 'Predicted:' in wait_for(driver, '#mlic-predicted').text
    finally:
        driver.quit()
    assert served['proc'].poll() is None  # still serving


def test_a_bundled_example_and_several_images_at_once(served, tmp_path):
    from selenium.webdriver.common.by import By
    driver = headless_chromium()
    try:
        driver.get(served['url'])
        wait_for(driver, 'input[type=file]', 60)
        # the examples list shows each file's name
        driver.find_element(
            By.XPATH, "//div[contains(@class, 'gallery') and "
            "text()='scene_AKMNZ.png']").click()
        status = wait_for(driver, '#mlic-status').text
        assert status.startswith('scene_AKMNZ.png: '), status
        # three images: the first in detail, the other two in the gallery
        upload(
            driver, served['url'], '\n'.join([
                DEMO_IMAGE,
                osp.join(REPO_ROOT, 'demo', 'multiglyphs_examples',
                         'scene_CDOSU.png'),
                osp.join(REPO_ROOT, 'demo', 'multiglyphs_examples',
                         'scene_AKMNZ.png')
            ]))
        wait_for(driver, '#mlic-predicted')
        thumbs = wait_for(driver, '#mlic-summary img') and \
            driver.find_elements(By.CSS_SELECTOR, '#mlic-summary img')
        assert len(thumbs) == 2
        thumbs[1].click()  # its details replace the first image's
        wait_for(driver, '#mlic-status')
        from selenium.webdriver.support.ui import WebDriverWait
        WebDriverWait(
            driver,
            60).until(lambda d: d.find_element(By.CSS_SELECTOR, '#mlic-status')
                      .text.startswith('scene_AKMNZ.png'))
    finally:
        driver.quit()


def test_the_docs_screenshot_script_drives_the_page(served, tmp_path):
    out = tmp_path / 'shot.png'
    done = subprocess.run([
        sys.executable,
        osp.join(REPO_ROOT, '.dev_scripts', 'web_demo_screenshot.py'), '--url',
        served['url'], '--out',
        str(out)
    ],
                          capture_output=True,
                          text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    shot = cv2.imread(str(out))
    assert shot.shape[1] == 1400 and shot.shape[0] > 1000
    assert shot.std() > 0


def test_the_server_leaves_nothing_behind(served):
    # runs last in this module: stops the server
    temp_dirs = os.listdir(served['temp_root'])
    assert len(temp_dirs) == 1 and temp_dirs[0].startswith('mlic_web_demo_')
    assert os.listdir(served['sandbox']) == []
    served['proc'].send_signal(signal.SIGTERM)
    served['proc'].wait(timeout=60)
    assert os.listdir(served['temp_root']) == []
    assert os.listdir(served['sandbox']) == []
