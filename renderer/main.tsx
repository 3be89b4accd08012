import { createRoot } from 'react-dom/client';
import { App } from './App';
import { chooseBridge, WebSocketBridge } from './bridge';
import { connect, disconnected } from './store';
import './styles.css';

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(<App />);
  const bridge = chooseBridge();
  if (bridge instanceof WebSocketBridge) bridge.onClose(disconnected);
  void connect(bridge);
}
